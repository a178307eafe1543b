import type { StoredReading } from '@airbox/contracts';
import { expect, it } from 'vitest';
import type { ReadingStore } from '../src/index.ts';
import { readingsFromRows } from './series-rows-conformance.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, asStored, boxReading } from './readings.ts';

/** What the conformance suite lends these tests: the store of the test and run-unique ids. */
export interface OutOfRangeContext {
  store: () => ReadingStore;
  id: (what: string) => string;
  write: (readings: StoredReading[]) => Promise<unknown>;
}

/**
 * Values a decoder flagged `<id>-out-of-range` (measures.ts: kept raw, flagged): one that
 * would overflow every sum (1e308, finite, valid JSON) and an impossible negative PM2.5.
 */
function hourWithOutliers(deviceId: string): StoredReading[] {
  const at = (m: number, o: Partial<StoredReading>) =>
    boxReading(deviceId, T0_MS + m * MINUTE_MS, o);
  return [
    at(0, { pm25UgM3: 10, temperatureC: 20 }),
    at(10, { pm25UgM3: 1e308, temperatureC: 21, flags: ['pm25-out-of-range'] }),
    at(20, {
      pm25UgM3: -50,
      temperatureC: 604.51,
      flags: ['pm25-out-of-range', 'temperature-out-of-range'],
    }),
    at(30, { pm25UgM3: 20, temperatureC: 22 }),
  ];
}

/** The out-of-range part of the ReadingStore contract; called inside describeStoreConformance. */
export function outOfRangeConformance(ctx: OutOfRangeContext): void {
  it('keeps an out-of-range value raw and flagged in series, and out of the hourly means', async () => {
    const deviceId = ctx.id('out-of-range');
    const readings = hourWithOutliers(deviceId);
    await ctx.write(readings);
    const query = { deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + HOUR_MS };

    const series = await ctx.store().series(query);
    expect(series).toEqual(readings.map(asStored));
    expect(readingsFromRows(await ctx.store().seriesRows(query))).toEqual(series);
    expect((await ctx.store().latest({ deviceIds: [deviceId] }))[0]?.temperatureC).toBe(22);

    // Every reading counts; each mean is over the values of its measure left unflagged.
    expect(await ctx.store().hourly(query)).toEqual([
      expect.objectContaining({
        deviceId,
        count: 4,
        pm25UgM3: expect.closeTo(15, 9),
        temperatureC: expect.closeTo(21, 9),
        pm10UgM3: expect.closeTo(20, 9),
      }),
    ]);
  });
}
