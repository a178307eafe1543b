import type { StoredReading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import type { ReadingStore } from '@airbox/store';
import { READING_COLUMNS, readingCsvLine } from '../src/index.ts';
import { seriesCsv } from '../src/series/csv-stream.ts';
import { IsoTimes } from '../src/series/iso-time.ts';
import { rawSeriesJson } from '../src/series/raw-json.ts';
import type { SeriesPlan } from '../src/series/source.ts';
import { apiWith, DAY_MS, HOUR_MS, iso, MINUTE_MS, reading, T0 } from './helpers.ts';

/**
 * The raw series is written from the store's rows, not from StoredReading objects. These
 * tests hold it to the bytes the API answered before: JSON.stringify of the readings that
 * series() returns, and readingCsvLine of each.
 */

/** Readings that exercise every field: nulls, flags, calibration, deviceTime, odd texts. */
function variedReadings(deviceId: string): StoredReading[] {
  const at = (ms: number, o: Partial<StoredReading> = {}) => reading(deviceId, ms, o);
  return [
    at(T0),
    at(T0 + 7 * MINUTE_MS, {
      flags: ['humidity-high', 'pm-order'],
      pm25CalibratedUgM3: 9.600000000000001,
      calibrationModel: 'epa-barkjohn-2021@1',
      deviceTime: '2080-01-06T00:00:05.000Z',
    }),
    at(T0 + HOUR_MS, {
      lat: null,
      lon: null,
      pm1UgM3: null,
      pm25UgM3: null,
      pm10UgM3: null,
      temperatureC: null,
      humidityPct: null,
      app: null,
      firmware: null,
      format: 'lass-v0',
      flags: ['pm1-missing', 'pm25-missing', 'pm10-missing', 'position-missing'],
      pm25CalibratedUgM3: null,
      calibrationModel: null,
    }),
    at(T0 + 2 * HOUR_MS, {
      app: 'Edimax "AirBox", 台北',
      firmware: 'line\nbreak\r\u2028;x',
      temperatureC: -3.5e-7,
      humidityPct: 1e21,
      pm10UgM3: Number.POSITIVE_INFINITY,
      kind: 'reference',
      format: 'lass-opendata',
    }),
    // The last minute of the day, received after midnight (the next day's date).
    at(T0 + DAY_MS - MINUTE_MS, { receivedAt: iso(T0 + DAY_MS + 5_000) }),
    at(T0 + DAY_MS + 30 * MINUTE_MS, { pm25UgM3: 0.1 + 0.2 }),
  ];
}

const twoDays = { fromMs: T0, toMs: T0 + 2 * DAY_MS };

async function expectedJson(store: ReadingStore, deviceIds: string[]): Promise<string> {
  const readings = await store.series({ deviceIds, ...twoDays });
  return JSON.stringify({
    agg: 'raw',
    from: iso(twoDays.fromMs),
    to: iso(twoDays.toMs),
    devices: deviceIds,
    readings,
  });
}

async function expectedCsv(store: ReadingStore, deviceIds: string[]): Promise<string> {
  const readings = await store.series({ deviceIds, ...twoDays });
  return READING_COLUMNS.join(',') + '\r\n' + readings.map(readingCsvLine).join('');
}

describe('raw series written from rows', () => {
  const ids = ['a-1', 'b:2', 'c.3'];
  const url = (extra = '') =>
    `/api/v1/series?device=${ids.join(',')}&from=${iso(twoDays.fromMs)}&to=${iso(twoDays.toMs)}${extra}`;

  it('answers JSON byte for byte as JSON.stringify of the stored readings', async () => {
    const { app, store } = await apiWith(ids.flatMap(variedReadings));
    const res = await app.inject(url());
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(await expectedJson(store, ids));
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body)));
    expect(res.json<{ readings: unknown[] }>().readings).toHaveLength(3 * 6);
    // tz only shapes agg=1d: a raw answer is the same with it.
    expect((await app.inject(url('&tz=Asia/Taipei'))).body).toBe(res.body);
  });

  it('answers CSV byte for byte as readingCsvLine of the stored readings', async () => {
    const { app, store } = await apiWith(ids.flatMap(variedReadings));
    const res = await app.inject(url('&format=csv'));
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(await expectedCsv(store, ids));
  });

  it('writes device ids that need escaping or quoting (taken from the store by bbox)', async () => {
    const odd = ['a "quoted", id', 'semi;colon\n台'];
    const { store } = await apiWith(odd.flatMap(variedReadings));
    const deviceIds = [...odd].sort();
    const plan: SeriesPlan = { deviceIds, ...twoDays, agg: 'raw', tz: 'UTC' };
    const head = {
      agg: 'raw' as const,
      from: iso(T0),
      to: iso(T0 + 2 * DAY_MS),
      devices: deviceIds,
    };
    const json = await rawSeriesJson(store, plan, head, 1_000);
    const bytes = Buffer.concat(json.chunks);
    expect(bytes.toString('utf8')).toBe(await expectedJson(store, deviceIds));
    expect(json.byteLength).toBe(bytes.length);
    let csv = '';
    for await (const chunk of seriesCsv(store, plan)) csv += chunk.toString();
    expect(csv).toBe(await expectedCsv(store, deviceIds));
  });

  it('keeps multi-byte text whole across the 64 KiB chunks of a large answer', async () => {
    // Two days of minutes, ~1 MB of JSON: many chunks, with 3-byte characters at their ends.
    const minutes = Array.from({ length: 2 * 1440 }, (_, i) =>
      reading('a-1', T0 + i * MINUTE_MS, { app: '台北市'.repeat(1 + (i % 7)), pm25UgM3: i / 7 }),
    );
    const { app, store } = await apiWith(minutes);
    const res = await app.inject(
      `/api/v1/series?device=a-1&from=${iso(T0)}&to=${iso(T0 + 2 * DAY_MS)}`,
    );
    expect(res.rawPayload.length).toBeGreaterThan(1_000_000);
    expect(res.body).toBe(await expectedJson(store, ['a-1']));
    const csv = await app.inject(
      `/api/v1/series?device=a-1&format=csv&from=${iso(T0)}&to=${iso(T0 + 2 * DAY_MS)}`,
    );
    expect(csv.body).toBe(await expectedCsv(store, ['a-1']));
  });

  it('answers an empty range as an empty list', async () => {
    const { app } = await apiWith(variedReadings('a-1'));
    const from = iso(T0 + 10 * DAY_MS);
    const res = await app.inject(
      `/api/v1/series?device=a-1&from=${from}&to=${iso(T0 + 11 * DAY_MS)}`,
    );
    expect(res.body).toBe(
      JSON.stringify({
        agg: 'raw',
        from,
        to: iso(T0 + 11 * DAY_MS),
        devices: ['a-1'],
        readings: [],
      }),
    );
  });
});

describe('IsoTimes', () => {
  it('formats exactly as Date#toISOString, across days, years and signs', () => {
    const times = new IsoTimes();
    const samples = [0, -0, 1, -1, 999, -86_400_001, 8.64e15, -8.64e15, -8.64e15 + 1];
    samples.push(Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10000, 0, 1), Date.UTC(-1, 5));
    // Every 7 minutes and 13 ms for three days over a year end, then back again.
    for (let ms = Date.UTC(2026, 11, 30); ms < Date.UTC(2027, 0, 2); ms += 420_013)
      samples.push(ms);
    samples.push(T0, T0 - 1, T0 + DAY_MS, T0 - DAY_MS);
    let seed = 7;
    for (let i = 0; i < 2_000; i++) {
      seed = (seed * 48_271) % 2_147_483_647;
      samples.push(Math.round((seed / 2_147_483_647 - 0.5) * 2 * 8.64e15));
    }
    for (const ms of samples) expect(times.format(ms), String(ms)).toBe(new Date(ms).toISOString());
  });

  it('truncates fractions and throws out of range, as Date does', () => {
    const times = new IsoTimes();
    times.format(T0);
    expect(times.format(T0 + 1.7)).toBe(new Date(T0 + 1.7).toISOString());
    expect(times.format(-1.5)).toBe(new Date(-1.5).toISOString());
    expect(() => times.format(8.64e15 + 1)).toThrow(RangeError);
    expect(() => times.format(Number.NaN)).toThrow(RangeError);
  });
});
