import { AQI_TABLES, CATEGORY_KEYS } from '@airbox/aqi';
import { describe, expect, it } from 'vitest';
import { aqiColour, aqiPalette, cssColour, legendRows, NO_DATA_RGB } from '../app/src/aqi.ts';

/** '#00e400' → [0, 228, 0]: the agency's colour, read independently of the app. */
const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));

describe('the map colour of a value (web/app aqiColour)', () => {
  it.each(AQI_TABLES.map((t) => [t.id, t] as const))(
    '%s: each band is painted in its category colour, at both ends; the palette and legend follow',
    (_id, table) => {
      const at = new Date(Date.parse(table.effectiveFrom) + 86_400_000);
      for (const band of table.bands) {
        const colour = rgb(table.categories[band.category].colourHex);
        expect(aqiColour(band.lowUgM3, table.scale, at)).toEqual(colour);
        expect(aqiColour(band.highUgM3, table.scale, at)).toEqual(colour);
      }
      const byConcern = CATEGORY_KEYS.map((k) => rgb(table.categories[k].colourHex));
      expect(aqiPalette(table.scale, at)).toEqual(byConcern);
      const swatches = legendRows(table.scale, at).map((row) =>
        cssColour(aqiColour(row.lowUgM3, table.scale, at)),
      );
      expect(swatches).toEqual(byConcern.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`));
    },
  );

  it('paints no value grey, and a calibrated value below zero as clean air', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(aqiColour(null, 'tw', at)).toEqual(NO_DATA_RGB);
    expect(aqiColour(Number.NaN, 'us', at)).toEqual(NO_DATA_RGB);
    expect(aqiColour(-1.5, 'tw', at)).toEqual(aqiColour(0, 'tw', at));
  });
});
