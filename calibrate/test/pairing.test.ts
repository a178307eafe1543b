import type { StoredReading } from '@airbox/contracts';
import { distanceM } from '@airbox/geo';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildPairs,
  CalibrationError,
  findColocations,
  stationsFromRegistry,
} from '../src/index.ts';
import {
  BANQIAO,
  boxReadings,
  HOUR_MS,
  offset,
  stationReadings,
  T0_MS,
  truthUgM3,
  WANHUA,
} from './store-fixture.ts';

const stations = stationsFromRegistry();

describe('findColocations', () => {
  it('measures great-circle distance: 1° of latitude is 111.195 km', () => {
    expect(distanceM({ lat: 24, lon: 121 }, { lat: 25, lon: 121 })).toBeCloseTo(111_195, -1);
  });

  it('pairs a box with its nearest station within 1 km, and leaves a box 1.5 km away alone', () => {
    const near = { deviceId: 'box-near', ...offset(BANQIAO, 300, 0) };
    const far = { deviceId: 'box-far', ...offset(BANQIAO, 1500, 0) };
    const wanhua = { deviceId: 'box-w', ...offset(WANHUA, 0, -400) };
    const found = findColocations([near, far, wanhua], stations);
    expect(found.map((c) => [c.deviceId, c.station.deviceId, c.station.county])).toEqual([
      ['box-near', 'EPA-Banqiao', '新北市'],
      ['box-w', 'EPA-Wanhua', '臺北市'],
    ]);
    expect(found[0]?.distanceM).toBeCloseTo(300, -1);
    expect(findColocations([far], stations, 2000)[0]?.station.deviceId).toBe('EPA-Banqiao');
  });
});

describe('buildPairs (real SQLite store)', () => {
  let store: SqliteStore;
  const box = { deviceId: 'box-A', ...offset(BANQIAO, 200, 100), index: 0 };
  // One reading a minute; hour 1 has exactly 75 % of them, hour 2 one fewer, and the
  // station has no value for hour 3.
  const counts = [60, 45, 44, 60];
  const boxRows = boxReadings(
    { ...box, gain: 1.5, offsetUgM3: 2, perHour: 60, seed: 1, countAt: (h) => counts[h] ?? 0 },
    0,
    4,
  );

  beforeEach(async () => {
    store = openSqliteStore({ path: ':memory:' });
    await store.write(boxRows);
    await store.write(stationReadings({ ...BANQIAO, index: 0 }, 0, 3));
  });
  afterEach(() => store.close());

  const window = { fromMs: T0_MS, toMs: T0_MS + 4 * HOUR_MS };
  const mean = (rows: StoredReading[], hour: number, pick: (r: StoredReading) => number | null) => {
    const values = rows
      .filter((r) => Math.floor((Date.parse(r.time) - T0_MS) / HOUR_MS) === hour)
      .map(pick)
      .filter((v) => v !== null);
    return values.reduce((s, v) => s + v, 0) / values.length;
  };

  it('pairs the complete hours (≥ 45 of 60 readings) with the station hour, box means as raw', async () => {
    const result = await buildPairs(store, window);
    expect(result.minReadingsPerHour).toBe(45);
    expect(result.pairs.map((p) => p.time)).toEqual([
      new Date(T0_MS).toISOString(),
      new Date(T0_MS + HOUR_MS).toISOString(),
    ]);
    const first = result.pairs[0];
    expect(first?.site).toBe('box-A');
    expect(first?.refPm25UgM3).toBe(truthUgM3(0));
    expect(first?.rawPm25UgM3).toBeCloseTo(
      mean(boxRows, 0, (r) => r.pm25UgM3),
      9,
    );
    expect(first?.rhPct).toBeCloseTo(
      mean(boxRows, 0, (r) => r.humidityPct),
      9,
    );
    expect(first?.temperatureC).toBeCloseTo(
      mean(boxRows, 0, (r) => r.temperatureC),
      9,
    );
    expect(result.boxes).toEqual([
      expect.objectContaining({
        deviceId: 'box-A',
        stationId: 'EPA-Banqiao',
        county: '新北市',
        hoursPaired: 2,
        hoursIncomplete: 1,
        hoursWithoutReference: 1,
      }),
    ]);
  });

  it('pairs box means without the values flagged out of range: a 1e308, a −50, an RH of 150 %', async () => {
    const faulty = boxRows.map((r, i): StoredReading => {
      if (i === 3) return { ...r, pm25UgM3: 1e308, flags: ['pm25-out-of-range'] };
      if (i === 7) return { ...r, pm25UgM3: -50, flags: ['pm25-out-of-range'] };
      if (i === 11) return { ...r, humidityPct: 150, flags: ['humidity-out-of-range'] };
      return r;
    });
    // The means of the values a box hour keeps: the flagged ones are stored, not averaged.
    const pm25Kept = (r: StoredReading) =>
      r.flags.includes('pm25-out-of-range') ? null : r.pm25UgM3;
    const rhKept = (r: StoredReading) =>
      r.flags.includes('humidity-out-of-range') ? null : r.humidityPct;
    const outliers = openSqliteStore({ path: ':memory:' });
    await outliers.write(faulty);
    await outliers.write(stationReadings({ ...BANQIAO, index: 0 }, 0, 3));
    const [first] = (await buildPairs(outliers, window)).pairs;
    expect(first?.rawPm25UgM3).toBeCloseTo(mean(faulty, 0, pm25Kept), 9);
    expect(first?.rhPct).toBeCloseTo(mean(faulty, 0, rhKept), 9);
    await outliers.close();
  });

  it('lowers the bar with minCompleteness, and reports boxes away from stations', async () => {
    const far = boxReadings(
      {
        deviceId: 'box-far',
        ...offset(BANQIAO, 0, 3000),
        index: 0,
        gain: 1,
        offsetUgM3: 0,
        perHour: 60,
        seed: 2,
      },
      0,
      1,
    );
    const lost = boxReadings(
      {
        deviceId: 'box-nogps',
        lat: null,
        lon: null,
        index: 0,
        gain: 1,
        offsetUgM3: 0,
        perHour: 60,
        seed: 3,
      },
      0,
      1,
    );
    await store.write([...far, ...lost]);
    const result = await buildPairs(store, { ...window, minCompleteness: 0.5 });
    expect(result.pairs).toHaveLength(3);
    expect(result.notColocated).toEqual(['box-far']);
    expect(result.withoutPosition).toEqual(['box-nogps']);
  });

  it('shifts station values labelled by the end of their hour onto the hour they average', async () => {
    const ending = openSqliteStore({ path: ':memory:' });
    await ending.write(boxRows);
    // The value for 00:00–01:00 published at 01:00.
    const published = stationReadings({ ...BANQIAO, index: 0 }, 0, 3).map((r) => ({
      ...r,
      time: new Date(Date.parse(r.time) + HOUR_MS).toISOString(),
    }));
    await ending.write(published);
    const result = await buildPairs(ending, { ...window, referenceHourLabel: 'end' });
    expect(result.pairs[0]?.refPm25UgM3).toBe(truthUgM3(0));
    expect(result.pairs[1]?.refPm25UgM3).toBe(truthUgM3(1));
    await ending.close();
  });

  async function codeOf(run: Promise<unknown>): Promise<string> {
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CalibrationError);
    return (error as CalibrationError).code;
  }

  it('refuses a window in which the co-located boxes sent nothing', async () => {
    const error = buildPairs(store, { fromMs: T0_MS - 48 * HOUR_MS, toMs: T0_MS - 24 * HOUR_MS });
    expect(await codeOf(error)).toBe('empty-window');
    await expect(error).rejects.toThrow(/box-A/);
  });

  it('names the station that has no data in the window', async () => {
    const empty = openSqliteStore({ path: ':memory:' });
    await empty.write(boxRows);
    const error = buildPairs(empty, window);
    expect(await codeOf(error)).toBe('station-without-data');
    await expect(error).rejects.toThrow(/EPA-Banqiao/);
    await empty.close();
  });

  it('says when no box is near any station, and rejects a nonsense window', async () => {
    expect(await codeOf(buildPairs(store, { ...window, maxDistanceM: 100 }))).toBe(
      'no-colocations',
    );
    expect(await codeOf(buildPairs(store, { fromMs: T0_MS, toMs: T0_MS }))).toBe('invalid-option');
    expect(await codeOf(buildPairs(store, { ...window, minCompleteness: 1.5 }))).toBe(
      'invalid-option',
    );
  });
});
