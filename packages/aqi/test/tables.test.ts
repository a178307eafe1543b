import { describe, expect, it } from 'vitest';
import { AQI_TABLES, CATEGORY_KEYS, type AqiTable } from '../src/index.ts';

const tenths = (ugM3: number): number => Math.round(ugM3 * 10);

describe.each(AQI_TABLES.map((table) => [table.id, table] as const))(
  '%s',
  (_id, table: AqiTable) => {
    it('starts at 0 µg/m³ and AQI 0, and ends at AQI 500', () => {
      expect(table.bands[0]?.lowUgM3).toBe(0);
      expect(table.bands[0]?.lowAqi).toBe(0);
      expect(table.bands.at(-1)?.highAqi).toBe(500);
    });

    it('is contiguous: each band starts 0.1 µg/m³ and 1 AQI above the previous one', () => {
      table.bands.forEach((band, i) => {
        expect(tenths(band.highUgM3)).toBeGreaterThan(tenths(band.lowUgM3));
        expect(band.highAqi).toBeGreaterThan(band.lowAqi);
        const previous = table.bands[i - 1];
        if (previous === undefined) return;
        expect(tenths(band.lowUgM3)).toBe(tenths(previous.highUgM3) + 1);
        expect(band.lowAqi).toBe(previous.highAqi + 1);
      });
    });

    it('writes breakpoints with at most one decimal', () => {
      for (const band of table.bands) {
        expect(tenths(band.lowUgM3) / 10).toBe(band.lowUgM3);
        expect(tenths(band.highUgM3) / 10).toBe(band.highUgM3);
      }
    });

    it('walks through the categories in order, each at least once', () => {
      const order = table.bands.map((band) => CATEGORY_KEYS.indexOf(band.category));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(new Set(table.bands.map((band) => band.category))).toEqual(new Set(CATEGORY_KEYS));
    });

    it('has every category named in both languages, coloured and advised', () => {
      for (const key of CATEGORY_KEYS) {
        const category = table.categories[key];
        expect(category.key).toBe(key);
        expect(category.name.en).not.toBe('');
        expect(category.name.zhTw).not.toBe('');
        expect(category.colourHex).toMatch(/^#[0-9A-F]{6}$/);
        expect(category.advice.en).not.toBe('');
        expect(category.advice.zhTw).not.toBe('');
      }
    });

    it('says when it took effect and where it comes from', () => {
      expect(Number.isNaN(Date.parse(table.effectiveFrom))).toBe(false);
      expect(table.effectiveFrom).toMatch(/T00:00:00[+-]\d\d:\d\d$/);
      expect(table.sources.length).toBeGreaterThan(0);
      expect(table.verification).not.toBe('');
    });
  },
);

describe('the registry', () => {
  it.each(['tw', 'us'] as const)('lists %s tables oldest first', (scale) => {
    const starts = AQI_TABLES.filter((table) => table.scale === scale).map((table) =>
      Date.parse(table.effectiveFrom),
    );
    expect(starts.length).toBeGreaterThan(1);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('has unique table ids', () => {
    const ids = AQI_TABLES.map((table) => table.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('category names', () => {
  it("use Taiwan's own wording in zh-TW on both scales", () => {
    for (const table of AQI_TABLES) {
      expect(CATEGORY_KEYS.map((key) => table.categories[key].name.zhTw)).toEqual([
        '良好',
        '普通',
        '對敏感族群不健康',
        '對所有族群不健康',
        '非常不健康',
        '危害',
      ]);
    }
  });

  it('carry the US EPA colours on the US scale', () => {
    const us = AQI_TABLES.filter((table) => table.scale === 'us');
    for (const table of us) {
      expect(CATEGORY_KEYS.map((key) => table.categories[key].colourHex)).toEqual([
        '#00E400',
        '#FFFF00',
        '#FF7E00',
        '#FF0000',
        '#8F3F97',
        '#7E0023',
      ]);
    }
  });

  it('tell a school to move indoors from very unhealthy up, and go out freely up to moderate', () => {
    for (const table of AQI_TABLES) {
      const activity = CATEGORY_KEYS.map((key) => table.categories[key].outdoorActivity);
      expect(activity).toEqual([
        'fine',
        'fine',
        'reduce-for-sensitive',
        'reduce-for-everyone',
        'move-indoors',
        'move-indoors',
      ]);
    }
  });
});
