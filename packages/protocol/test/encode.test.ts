import type { Reading } from '@airbox/contracts';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLass,
  decodeMessage,
  encodeLassV3,
  lassV3FromReading,
  parseLassV3,
  READING_SUBSCRIPTIONS,
} from '../src/index.ts';

const samples = readFileSync(
  new URL('./fixtures/lass/payload-samples.tsv', import.meta.url),
  'utf8',
)
  .trimEnd()
  .split('\n')
  .slice(1)
  .map((row) => row.split('\t')[4] ?? '')
  .filter((p) => p.startsWith('|ver_format=3|'));

describe('LASS ver_format 3 encoder', () => {
  it('has real ver_format 3 samples to compare with', () => {
    expect(samples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(samples)('re-encodes a real LinkIt ONE payload byte for byte: %s', (payload) => {
    const message = parseLassV3(payload);
    expect(message).not.toBeNull();
    expect(encodeLassV3(message!)).toBe(payload);
  });
});

const ctx = { nowMs: Date.UTC(2030, 0, 1) };
const value = (min: number, max: number) =>
  fc.option(
    fc.integer({ min: min * 100, max: max * 100 }).map((n) => n / 100),
    { nil: null },
  );

const readingArb = fc.record({
  deviceId: fc.stringMatching(/^[A-Za-z0-9_-]{1,20}$/),
  timeMs: fc
    .integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2029, 0, 1) })
    .map((ms) => ms - (ms % 1000)),
  lat: fc.integer({ min: -89_999_999, max: 89_999_999 }).map((n) => n / 1e6),
  lon: fc.integer({ min: -179_999_999, max: 179_999_999 }).map((n) => n / 1e6),
  pm1UgM3: value(0, 500),
  pm25UgM3: value(0, 500),
  pm10UgM3: value(0, 500),
  temperatureC: value(-30, 50),
  humidityPct: value(0, 100),
  app: fc.constantFrom('PM25', 'AirBox'),
});

describe('encode → decode round trip', () => {
  it('gives back every value our firmware sends, for both DIY (UTC) and AirBox (Taipei) clocks', () => {
    fc.assert(
      fc.property(readingArb, (g) => {
        const reading: Reading = {
          ...g,
          time: new Date(g.timeMs).toISOString(),
          format: 'lass-v3',
          firmware: '0.1.0',
          flags: [],
          kind: 'box',
        };
        if (g.lat === 0 && g.lon === 0) return;
        const payload = lassV3FromReading(reading, {
          app: g.app,
          verApp: '0.1.0',
          device: 'airbox-fw',
          tick: 1,
        });
        const result = decodeLass(payload, ctx);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        const back = result.readings[0]!;
        expect(back.time).toBe(reading.time);
        for (const key of [
          'pm1UgM3',
          'pm25UgM3',
          'pm10UgM3',
          'temperatureC',
          'humidityPct',
          'lat',
          'lon',
        ] as const) {
          expect(back[key], key).toBe(reading[key]);
        }
        expect(back.deviceId).toBe(reading.deviceId);
      }),
      { numRuns: 500 },
    );
  });
});

describe('decoders never throw', () => {
  const topics = fc.constantFrom(
    null,
    'LASS/Test/PM25',
    'airbox/v1/x/reading',
    'airbox/v1/x/batch',
    'nope',
  );

  it('on arbitrary bytes', () => {
    fc.assert(
      fc.property(topics, fc.uint8Array({ maxLength: 400 }), (topic, bytes) => {
        const result = decodeMessage(topic, bytes, ctx);
        if (!result.ok) expect(result.error.code).toMatch(/^[a-z-]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('on LASS-shaped text with random keys and values', () => {
    const key = fc.constantFrom(
      'ver_format',
      'device_id',
      'date',
      'time',
      's_d0',
      's_t0',
      's_h0',
      'gps_lat',
      'gps_lon',
      'gps',
      'values',
      'gps-loc',
      'app',
      'device',
      'fmt_opt',
    );
    const field = fc.tuple(key, fc.string({ maxLength: 30 })).map(([k, v]) => `${k}=${v}`);
    fc.assert(
      fc.property(topics, fc.array(field, { maxLength: 15 }), (topic, fields) => {
        const result = decodeMessage(topic, `|${fields.join('|')}`, ctx);
        if (result.ok) for (const r of result.readings) expect(typeof r.deviceId).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('on JSON values of any shape', () => {
    fc.assert(
      fc.property(topics, fc.json(), (topic, json) => {
        expect(() => decodeMessage(topic, json, ctx)).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });

  it('subscribes workers to both native and LASS topics', () => {
    expect(READING_SUBSCRIPTIONS).toEqual(
      expect.arrayContaining(['airbox/v1/+/reading', 'LASS/#']),
    );
  });
});
