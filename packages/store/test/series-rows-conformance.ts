import type { StoredReading } from '@airbox/contracts';
import { expect, it } from 'vitest';
import type { DeviceRows, ReadingStore } from '../src/index.ts';
import { MINUTE_MS, T0_MS, boxReading, emptyReading, fullReading } from './readings.ts';

/** What the conformance suite lends these tests: the store of the test and run-unique ids. */
export interface SeriesRowsContext {
  store: () => ReadingStore;
  id: (what: string) => string;
  write: (readings: StoredReading[]) => Promise<unknown>;
}

/** The readings rows stand for, built the way the port documents each field. */
export function readingsFromRows(devices: DeviceRows[]): StoredReading[] {
  return devices.flatMap(({ deviceId, rows }) =>
    rows.map(([timeMs, receivedMs, lat, lon, pm1, pm25, pm10, t, rh, cal, labels]) => {
      const { deviceTime, ...texts } = labels;
      const reading: StoredReading = {
        deviceId,
        time: new Date(timeMs).toISOString(),
        receivedAt: new Date(receivedMs).toISOString(),
        lat,
        lon,
        pm1UgM3: pm1,
        pm25UgM3: pm25,
        pm10UgM3: pm10,
        temperatureC: t,
        humidityPct: rh,
        pm25CalibratedUgM3: cal,
        ...texts,
        flags: [...texts.flags],
      };
      if (deviceTime !== null) reading.deviceTime = deviceTime;
      return reading;
    }),
  );
}

/** The seriesRows() part of the ReadingStore contract; called inside describeStoreConformance. */
export function seriesRowsConformance(ctx: SeriesRowsContext): void {
  it('seriesRows holds exactly the readings of series, grouped by device', async () => {
    const [a, b, silent] = [ctx.id('rows-a'), ctx.id('rows-b'), ctx.id('rows-silent')];
    const at = (deviceId: string, m: number, o: Partial<StoredReading> = {}) =>
      boxReading(deviceId, T0_MS + m * MINUTE_MS, o);
    await ctx.write([
      fullReading(b, T0_MS),
      emptyReading(b, T0_MS + MINUTE_MS),
      at(b, 2, { flags: ['humidity-high'], pm25CalibratedUgM3: 9.75, calibrationModel: 'm@2' }),
      at(a, 5, { kind: 'reference', format: 'lass-opendata', app: 'EPA', firmware: null }),
      at(a, 0),
      at(a, 60),
    ]);
    const query = { deviceIds: [b, silent, a, b], fromMs: T0_MS, toMs: T0_MS + 60 * MINUTE_MS };
    const rows = await ctx.store().seriesRows(query);
    expect(rows.map((d) => [d.deviceId, d.rows.length])).toEqual([
      [a, 2],
      [b, 3],
    ]);
    expect(readingsFromRows(rows)).toEqual(await ctx.store().series(query));
    expect(await ctx.store().seriesRows({ ...query, deviceIds: [silent] })).toEqual([]);
  });
}
