import type { StoredReading } from '@airbox/contracts';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { readingCsvLine, type DailyRow } from '../src/index.ts';
import { seriesCsv } from '../src/series/csv-stream.ts';
import {
  apiWith,
  DAY_MS,
  HOUR_MS,
  iso,
  MINUTE_MS,
  reading,
  T0,
  type ErrorJson,
} from './helpers.ts';

const range = (fromMs: number, toMs: number) => `from=${iso(fromMs)}&to=${iso(toMs)}`;

/** Every 10 minutes for two days; PM2.5 counts up so order mistakes show. */
function tenMinutely(deviceId: string, days: number, at: Partial<StoredReading> = {}) {
  return Array.from({ length: days * 144 }, (_, i) =>
    reading(deviceId, T0 + i * 10 * MINUTE_MS, { pm25UgM3: i, ...at }),
  );
}

describe('GET /api/v1/series', () => {
  it('answers several devices as one JSON document, by device then time, [from, to)', async () => {
    const { app } = await apiWith([...tenMinutely('b', 2), ...tenMinutely('a', 2)]);
    const res = await app.inject(`/api/v1/series?device=b,a&${range(T0, T0 + HOUR_MS)}`);
    expect(res.statusCode).toBe(200);
    const body = res.json<{ agg: string; devices: string[]; readings: StoredReading[] }>();
    expect(body.agg).toBe('raw');
    expect(body.devices).toEqual(['a', 'b']);
    expect(body.readings.map((r) => `${r.deviceId}@${r.time.slice(11, 16)}`)).toEqual([
      ...['a', 'b'].flatMap((d) =>
        ['00:00', '00:10', '00:20', '00:30', '00:40', '00:50'].map((t) => `${d}@${t}`),
      ),
    ]);
  });

  it('takes every device whose newest position is inside a bbox', async () => {
    const { app } = await apiWith([
      ...tenMinutely('taipei', 1),
      ...tenMinutely('kaohsiung', 1, { lat: 22.63, lon: 120.3 }),
    ]);
    const res = await app.inject(
      `/api/v1/series?bbox=121.3,24.9,121.7,25.2&agg=1h&${range(T0, T0 + DAY_MS)}`,
    );
    const body = res.json<{ devices: string[]; rows: { deviceId: string }[] }>();
    expect(body.devices).toEqual(['taipei']);
    expect(body.rows).toHaveLength(24);
    const empty = await app.inject(`/api/v1/series?bbox=0,0,1,1&${range(T0, T0 + DAY_MS)}`);
    expect(empty.json()).toMatchObject({ devices: [], readings: [] });
  });

  it('builds UTC days from the hourly roll-up, weighting each hour by its readings', async () => {
    // 00:00–01:00 one reading of 100; 01:00–02:00 three readings of 0. The mean of the
    // readings is 25; the mean of the hourly means would be 50.
    const { app } = await apiWith([
      reading('w', T0, { pm25UgM3: 100 }),
      ...[0, 20, 40].map((m) => reading('w', T0 + HOUR_MS + m * MINUTE_MS, { pm25UgM3: 0 })),
      reading('w', T0 + DAY_MS + HOUR_MS, { pm25UgM3: 7 }),
    ]);
    const res = await app.inject(`/api/v1/series?device=w&agg=1d&${range(T0, T0 + 2 * DAY_MS)}`);
    const body = res.json<{ tz: string; rows: DailyRow[] }>();
    expect(body.tz).toBe('UTC');
    expect(body.rows).toEqual([
      expect.objectContaining({ day: '2026-11-27', hours: 2, count: 4, pm25UgM3: 25 }),
      expect.objectContaining({ day: '2026-11-28', hours: 1, count: 1, pm25UgM3: 7 }),
    ]);
  });

  it('uses local calendar days with tz=Asia/Taipei (UTC+8)', async () => {
    const readings = [
      reading('t', Date.UTC(2026, 10, 27, 15, 30), { pm25UgM3: 10 }), // 23:30 in Taipei, 27th
      reading('t', Date.UTC(2026, 10, 27, 16, 30), { pm25UgM3: 30 }), // 00:30 in Taipei, 28th
    ];
    const { app } = await apiWith(readings);
    const days = async (tz: string) =>
      (await app.inject(`/api/v1/series?device=t&agg=1d&tz=${tz}&${range(T0, T0 + DAY_MS)}`))
        .json<{ rows: DailyRow[] }>()
        .rows.map((r) => [r.day, r.pm25UgM3]);
    expect(await days('UTC')).toEqual([['2026-11-27', 20]]);
    expect(await days('Asia/Taipei')).toEqual([
      ['2026-11-27', 10],
      ['2026-11-28', 30],
    ]);
  });

  it('serves daily rows as CSV with a file name', async () => {
    const { app } = await apiWith(tenMinutely('a', 2));
    const res = await app.inject(
      `/api/v1/series?device=a&agg=1d&format=csv&${range(T0, T0 + 2 * DAY_MS)}`,
    );
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="airbox-1d-20261127T000000Z-20261129T000000Z.csv"',
    );
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'deviceId,day,hours,count,pm25UgM3,pm25CalibratedUgM3,pm10UgM3,pm1UgM3,temperatureC,humidityPct',
    );
    // Day 1 holds pm25 0…143, day 2 144…287.
    expect(lines.slice(1)).toEqual([
      'a,2026-11-27,24,144,71.5,10,20,8,21,60',
      'a,2026-11-28,24,144,215.5,10,20,8,21,60',
    ]);
  });

  it('answers 404 naming every listed device that has no readings', async () => {
    const { app } = await apiWith(tenMinutely('a', 1));
    const res = await app.inject(`/api/v1/series?device=a,ghost,ghost2&${range(T0, T0 + HOUR_MS)}`);
    expect(res.statusCode).toBe(404);
    const { error } = res.json<ErrorJson>();
    expect(error.code).toBe('unknown-device');
    expect(error.message).toContain('"ghost", "ghost2"');
    expect(error.message).not.toContain('"a"');
  });

  it.each([
    ['raw', 31],
    ['1h', 366],
    ['1d', 3660],
  ])('refuses agg=%s over more than %i days, naming the limit', async (agg, days) => {
    const { app } = await apiWith(tenMinutely('a', 1));
    const url = (d: number) => `/api/v1/series?device=a&agg=${agg}&${range(T0 - d * DAY_MS, T0)}`;
    expect((await app.inject(url(days))).statusCode).toBe(200);
    const res = await app.inject(url(days + 1));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>().error).toEqual({
      code: 'range-too-large',
      message: expect.stringContaining(`agg=${agg} allows at most ${days} days`),
    });
  });

  it('caps a JSON answer but streams the same rows as CSV', async () => {
    const { app } = await apiWith(tenMinutely('a', 2), { maxJsonRows: 100 });
    const query = `/api/v1/series?device=a&${range(T0, T0 + 2 * DAY_MS)}`;
    const json = await app.inject(query);
    expect(json.statusCode).toBe(400);
    expect(json.json<ErrorJson>().error.code).toBe('too-many-rows');
    expect(json.json<ErrorJson>().error.message).toMatch(/^format: .*format=csv/);
    const csv = await app.inject(`${query}&format=csv`);
    expect(csv.body.trimEnd().split('\r\n')).toHaveLength(1 + 288);
  });
});

describe('streamed CSV', () => {
  const DEVICES = 100;
  const DAYS = 7;
  const STEP_MS = 30 * MINUTE_MS;
  const ids = Array.from({ length: DEVICES }, (_, i) => `box-${String(i).padStart(3, '0')}`);
  const url = `/api/v1/series?bbox=120,24,122,26&format=csv&${range(T0, T0 + DAYS * DAY_MS)}`;
  let fixture: Awaited<ReturnType<typeof apiWith>>;

  beforeAll(async () => {
    const readings = ids.flatMap((id, d) =>
      Array.from({ length: (DAYS * DAY_MS) / STEP_MS }, (_, i) =>
        reading(id, T0 + i * STEP_MS, { pm25UgM3: (i * 7 + d) % 97, lat: 25 + d / 1000 }),
      ),
    );
    fixture = await apiWith(readings);
  });

  it('of 100 devices × a week of half-hourly readings matches the store row for row', async () => {
    const { app, store } = fixture;
    const series = vi.spyOn(store, 'seriesRows');
    const res = await app.inject(url);
    const calls = series.mock.calls.map(([q]) => q);
    series.mockRestore();
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\r\n').slice(1, -1);
    expect(lines).toHaveLength(DEVICES * 336);
    const stored = await store.series({ deviceIds: ids, fromMs: T0, toMs: T0 + DAYS * DAY_MS });
    expect(lines.map((l) => `${l}\r\n`)).toEqual(stored.map(readingCsvLine));
    // Read one device-day at a time: never the whole result at once.
    expect(calls).toHaveLength(DEVICES * DAYS);
    for (const q of calls) {
      expect(q.deviceIds).toHaveLength(1);
      expect(q.toMs - q.fromMs).toBeLessThanOrEqual(DAY_MS);
    }
  });

  it('queries the next device-day only when the consumer pulls (backpressure)', async () => {
    const { store } = fixture;
    const series = vi.spyOn(store, 'seriesRows');
    const plan = {
      deviceIds: ids,
      fromMs: T0,
      toMs: T0 + DAYS * DAY_MS,
      agg: 'raw',
      tz: 'UTC',
    } as const;
    const chunks = seriesCsv(store, plan);
    try {
      const header = await chunks.next();
      expect(header.value).toMatch(/^deviceId,time,/);
      expect(series).not.toHaveBeenCalled();
      const first = await chunks.next();
      expect(series).toHaveBeenCalledTimes(1);
      expect(String(first.value).split('\r\n')).toHaveLength(48 + 1); // one device-day
      await chunks.return(undefined); // the client went away: no more queries
      expect(series).toHaveBeenCalledTimes(1);
    } finally {
      series.mockRestore();
    }
  });
});
