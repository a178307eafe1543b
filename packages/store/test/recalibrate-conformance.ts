import type { StoredReading } from '@airbox/contracts';
import { expect, it } from 'vitest';
import type { ReadingStore, Recalibrator } from '../src/index.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, asStored, boxReading } from './readings.ts';

/** What the conformance suite lends these tests: the store of the test and run-unique ids. */
export interface RecalibrateContext {
  store: () => ReadingStore;
  id: (what: string) => string;
  write: (readings: StoredReading[]) => Promise<unknown>;
  settle: () => Promise<void>;
}

const MODEL = 'conformance-half@1';
/** A model anyone can check by hand: half the raw value, plus one. */
const half: Recalibrator = (r) => ({
  value: r.pm25UgM3 === null ? null : r.pm25UgM3 / 2 + 1,
  model: MODEL,
});

/** Readings every 10 minutes over two hours, the old calibration 3 µg/m³ below the raw. */
function twoHours(deviceId: string, o: Partial<StoredReading> = {}): StoredReading[] {
  return Array.from({ length: 12 }, (_, i) => {
    const pm25UgM3 = 10 + i * 2;
    return boxReading(deviceId, T0_MS + i * 10 * MINUTE_MS, {
      pm25UgM3,
      pm25CalibratedUgM3: pm25UgM3 - 3,
      calibrationModel: 'old@1',
      flags: i % 4 === 0 ? ['humidity-high'] : [],
      ...o,
    });
  });
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const inRange = (r: StoredReading, fromMs: number, toMs: number): boolean =>
  Date.parse(r.time) >= fromMs && Date.parse(r.time) < toMs;

/** The recalibrate() part of the ReadingStore contract; called inside describeStoreConformance. */
export function recalibrateConformance(ctx: RecalibrateContext): void {
  const seriesOf = (deviceIds: string[]) =>
    ctx.store().series({ deviceIds, fromMs: T0_MS - HOUR_MS, toMs: T0_MS + 3 * HOUR_MS });

  it('recalibrate rewrites only the calibrated value and model of box readings in range', async () => {
    const [target, other, station] = [ctx.id('recal'), ctx.id('recal-other'), ctx.id('recal-ref')];
    const readings = twoHours(target);
    const others = twoHours(other);
    const references = twoHours(station, {
      kind: 'reference',
      format: 'lass-opendata',
      app: 'EPA',
      firmware: null,
      pm25CalibratedUgM3: 21,
      calibrationModel: 'identity',
    });
    await ctx.write([...readings, ...others, ...references]);
    const countBefore = await ctx.store().countReadings();
    // 10:20 to 11:20: the last four readings of the first hour, the first two of the second.
    const fromMs = T0_MS + 20 * MINUTE_MS;
    const toMs = T0_MS + 80 * MINUTE_MS;

    const result = await ctx
      .store()
      .recalibrate({ deviceIds: [target, station], fromMs, toMs }, half);
    await ctx.settle();

    expect(result).toEqual({ updated: 6, unchanged: 0, references: 6, notCleared: 0 });
    const expected = readings.map((r) =>
      inRange(r, fromMs, toMs)
        ? { ...r, pm25CalibratedUgM3: (r.pm25UgM3 ?? 0) / 2 + 1, calibrationModel: MODEL }
        : r,
    );
    // Raw values, receivedAt, flags and position stay: only the two fields changed.
    expect(await seriesOf([target])).toEqual(expected.map(asStored));
    expect(await seriesOf([other, station])).toEqual([...others, ...references].map(asStored));
    expect(await ctx.store().countReadings()).toBe(countBefore);

    const hours = await ctx
      .store()
      .hourly({ deviceIds: [target], fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS });
    const calibratedIn = (hour: number) =>
      expected
        .filter((r) => inRange(r, T0_MS + hour * HOUR_MS, T0_MS + (hour + 1) * HOUR_MS))
        .map((r) => r.pm25CalibratedUgM3 ?? NaN);
    expect(hours.map((h) => [h.count, h.pm25CalibratedUgM3, h.pm25UgM3])).toEqual([
      [6, expect.closeTo(mean(calibratedIn(0)), 9), expect.closeTo(15, 9)],
      [6, expect.closeTo(mean(calibratedIn(1)), 9), expect.closeTo(27, 9)],
    ]);
  });

  it('recalibrate writes nothing for a null, or for the value and model already stored', async () => {
    const deviceId = ctx.id('recal-again');
    const readings = twoHours(deviceId);
    await ctx.write(readings);
    const everything = { deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS };
    expect(await ctx.store().recalibrate(everything, () => null)).toMatchObject({
      updated: 0,
      unchanged: 12,
    });
    expect(await ctx.store().recalibrate(everything, half)).toMatchObject({ updated: 12 });
    await ctx.settle();
    expect(await ctx.store().recalibrate(everything, half)).toEqual({
      updated: 0,
      unchanged: 12,
      references: 0,
      notCleared: 0,
    });
  });

  it('recalibrate goes through a range chunk by chunk, reporting progress', async () => {
    const [a, b] = [ctx.id('recal-chunks-a'), ctx.id('recal-chunks-b')];
    await ctx.write([...twoHours(a), ...twoHours(b)]);
    const progress: [string, number][] = [];
    const result = await ctx
      .store()
      .recalibrate({ deviceIds: [b, a], fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS }, half, {
        chunkSize: 5,
        onProgress: (p) => progress.push([p.deviceId, p.updated]),
      });
    await ctx.settle();
    expect(result.updated).toBe(24);
    // At most 5 readings a chunk (an adapter may end a chunk early, never late), device a
    // first (sorted ids), and the totals only grow.
    const devicesSeen = progress.map(([deviceId]) => deviceId);
    expect(devicesSeen).toEqual([...devicesSeen].sort());
    expect(new Set(devicesSeen)).toEqual(new Set([a, b]));
    const steps = progress.map(([, updated], i) => updated - (progress[i - 1]?.[1] ?? 0));
    expect(steps.every((n) => n > 0 && n <= 5)).toBe(true);
    expect(progress.at(-1)).toEqual([b, 24]);
    const stored = await seriesOf([a, b]);
    expect(stored.map((r) => r.calibrationModel)).toEqual(Array(24).fill(MODEL));
  });

  it('recalibrate of every device covers each one in the range once', async () => {
    // A time no other test writes at, so "every device" here means this test's devices.
    const startMs = T0_MS - 400 * 24 * HOUR_MS - Math.floor(Math.random() * 1000) * HOUR_MS;
    const ids = [ctx.id('recal-all-a'), ctx.id('recal-all-b')];
    await ctx.write(ids.map((d) => boxReading(d, startMs, { pm25UgM3: 30 })));
    const range = { fromMs: startMs, toMs: startMs + 1 };
    expect(await ctx.store().recalibrate(range, half)).toMatchObject({ updated: 2 });
    await ctx.settle();
    const stored = await ctx.store().series({ deviceIds: ids, ...range });
    expect(stored.map((r) => [r.pm25CalibratedUgM3, r.calibrationModel])).toEqual([
      [16, MODEL],
      [16, MODEL],
    ]);
  });

  it('recalibrate never leaves an old value under a new model id', async () => {
    const deviceId = ctx.id('recal-null');
    const readings = twoHours(deviceId);
    await ctx.write(readings);
    const cannot: Recalibrator = () => ({ value: null, model: 'needs-rh@1' });
    const result = await ctx
      .store()
      .recalibrate({ deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS }, cannot);
    await ctx.settle();
    const stored = await seriesOf([deviceId]);
    if (ctx.store().kind === 'influxdb') {
      // Line protocol cannot remove a field: the points stay whole, and the caller is told.
      expect(result).toMatchObject({ updated: 0, notCleared: 12 });
      expect(stored).toEqual(readings);
    } else {
      expect(result).toMatchObject({ updated: 12, notCleared: 0 });
      expect(stored.map((r) => [r.pm25CalibratedUgM3, r.calibrationModel])).toEqual(
        Array(12).fill([null, 'needs-rh@1']),
      );
    }
  });

  it('recalibrate gives an out-of-range PM2.5 no value, and no model an out-of-range value', async () => {
    const deviceId = ctx.id('recal-range');
    const at = (m: number, o: Partial<StoredReading>) =>
      boxReading(deviceId, T0_MS + m * MINUTE_MS, { calibrationModel: 'old@1', ...o });
    await ctx.write([
      at(0, { pm25UgM3: 20, pm25CalibratedUgM3: 17 }),
      at(10, { pm25UgM3: -50, flags: ['pm25-out-of-range'] }),
      at(20, { pm25UgM3: 30, humidityPct: 150, flags: ['humidity-out-of-range'] }),
    ]);
    const humidities: (number | null)[] = [];
    const watched: Recalibrator = (r) => {
      humidities.push(r.humidityPct);
      return half(r);
    };
    const hour = { deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + HOUR_MS };
    expect(await ctx.store().recalibrate(hour, watched)).toMatchObject({ updated: 3 });
    await ctx.settle();
    expect(
      (await seriesOf([deviceId])).map((r) => [r.pm25CalibratedUgM3, r.calibrationModel]),
    ).toEqual([
      [11, MODEL],
      [null, MODEL],
      [16, MODEL],
    ]);
    // The RH of 150 % reached the model as null, as if the box had not reported it.
    expect(humidities).toEqual([71, 71, null]);
    expect(await ctx.store().hourly(hour)).toEqual([
      expect.objectContaining({ count: 3, pm25UgM3: 25, pm25CalibratedUgM3: 13.5 }),
    ]);
  });

  it('recalibrate refuses a model that gives a non-finite value, naming the reading', async () => {
    const deviceId = ctx.id('recal-nan');
    await ctx.write([boxReading(deviceId, T0_MS)]);
    const broken: Recalibrator = () => ({ value: Number.NaN, model: 'broken@1' });
    await expect(
      ctx.store().recalibrate({ deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + 1 }, broken),
    ).rejects.toThrow(new RegExp(`broken@1 gave NaN for the reading of "${deviceId}"`));
    expect((await seriesOf([deviceId]))[0]?.calibrationModel).toBeNull();
  });
}
