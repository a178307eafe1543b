import type { CalibrationModel } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { openSqliteStore } from '@airbox/store';
import { StreamWorker, QC_LIMITS } from '../src/index.ts';

/** The worker's stages over an in-memory SQLite store (no sockets: the broker tests have those). */
const T0 = Date.UTC(2026, 10, 27, 8);
const msg = (deviceId: string, minute: number, fields: Record<string, unknown> = {}) => ({
  topic: nativeTopic(deviceId, 'reading'),
  payload: Buffer.from(
    JSON.stringify({
      time: new Date(T0 + minute * 60_000).toISOString(),
      lat: 25.04,
      lon: 121.53,
      pm25UgM3: 10,
      pm10UgM3: 15,
      ...fields,
    }),
  ),
  clientId: deviceId,
  receivedAtMs: T0 + minute * 60_000 + 500,
});

function setup(calibration?: (r: unknown) => CalibrationModel) {
  const store = openSqliteStore({ path: ':memory:' });
  const worker = new StreamWorker({ store, now: () => T0 + 86_400_000, calibration });
  const stored = async (id: string) =>
    store.series({ deviceIds: [id], fromMs: 0, toMs: T0 + 86_400_000 });
  return { store, worker, stored };
}

describe('stream worker', () => {
  it('flags a spike far above the recent median, and keeps the reading', async () => {
    const { worker, stored } = setup();
    for (let m = 0; m < 5; m++) await worker.handle(msg('qc-1', m, { pm25UgM3: 8 + (m % 2) }));
    await worker.handle(msg('qc-1', 5, { pm25UgM3: 400, pm10UgM3: 450 }));
    await worker.handle(msg('qc-1', 6, { pm25UgM3: 20, pm10UgM3: 25 }));
    const rows = await stored('qc-1');
    expect(rows.map((r) => r.flags.includes('spike'))).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(rows[5]!.pm25UgM3).toBe(400);
  });

  it(`flags a sensor stuck on one value for ${QC_LIMITS.stuckRepeats} readings`, async () => {
    const { worker, stored } = setup();
    for (let m = 0; m < QC_LIMITS.stuckRepeats + 1; m++) await worker.handle(msg('qc-2', m));
    const stuck = (await stored('qc-2')).map((r) => r.flags.includes('stuck'));
    expect(stuck.indexOf(true)).toBe(QC_LIMITS.stuckRepeats - 1);
    expect(stuck.filter(Boolean)).toHaveLength(2);
  });

  it('flags a fixed box that jumps 100 km in a minute', async () => {
    const { worker, stored } = setup();
    await worker.handle(msg('qc-3', 0));
    await worker.handle(msg('qc-3', 1, { lat: 24.14, lon: 120.68 }));
    expect((await stored('qc-3')).map((r) => r.flags.includes('position-jump'))).toEqual([
      false,
      true,
    ]);
  });

  it('stores late and out-of-order readings in time order', async () => {
    const { worker, stored } = setup();
    for (const m of [5, 1, 3, 2, 4]) await worker.handle(msg('late-1', m, { pm25UgM3: m }));
    expect((await stored('late-1')).map((r) => r.pm25UgM3)).toEqual([1, 2, 3, 4, 5]);
  });

  it('drops a redelivered reading as a duplicate and counts it', async () => {
    const { worker, stored } = setup();
    expect(await worker.handle(msg('dup-1', 0))).toMatchObject({
      status: 'stored',
      readings: 1,
      duplicates: 0,
    });
    expect(await worker.handle(msg('dup-1', 0))).toMatchObject({
      status: 'stored',
      readings: 0,
      duplicates: 1,
    });
    expect(await stored('dup-1')).toHaveLength(1);
    expect(worker.counters.readingsDuplicate).toBe(1);
  });

  it('applies the active calibration model and stores its id beside the value', async () => {
    const halve: CalibrationModel = {
      id: 'test-halve@1',
      apply: (r) => (r.pm25UgM3 === null ? null : r.pm25UgM3 / 2),
    };
    const { worker, stored } = setup(() => halve);
    await worker.handle(msg('cal-1', 0, { pm25UgM3: 30 }));
    expect((await stored('cal-1'))[0]).toMatchObject({
      pm25UgM3: 30,
      pm25CalibratedUgM3: 15,
      calibrationModel: 'test-halve@1',
    });
  });

  it('calibrates no out-of-range PM2.5, records the model, and feeds no out-of-range value to it', async () => {
    const seen: (number | null)[] = [];
    const halve: CalibrationModel = {
      id: 'test-halve@1',
      apply: (r) => {
        seen.push(r.humidityPct);
        return r.pm25UgM3 === null ? null : r.pm25UgM3 / 2;
      },
    };
    const { store, worker, stored } = setup(() => halve);
    await worker.handle(msg('range-1', 0, { pm25UgM3: 30, humidityPct: 60 }));
    await worker.handle(msg('range-1', 1, { pm25UgM3: 1e308, humidityPct: 60 }));
    await worker.handle(msg('range-1', 2, { pm25UgM3: -50, humidityPct: 60 }));
    await worker.handle(msg('range-1', 3, { pm25UgM3: 50, humidityPct: 150 }));
    const rows = await stored('range-1');
    expect(rows.map((r) => [r.pm25UgM3, r.pm25CalibratedUgM3, r.calibrationModel])).toEqual([
      [30, 15, 'test-halve@1'],
      [1e308, null, 'test-halve@1'],
      [-50, null, 'test-halve@1'],
      [50, 25, 'test-halve@1'],
    ]);
    expect(rows[1]!.flags).toContain('pm25-out-of-range');
    expect(rows[3]!.flags).toContain('humidity-out-of-range');
    // The RH of 150 % reached the model as null, as if the box had not reported it.
    expect(seen.at(-1)).toBeNull();
    const [hour] = await store.hourly({ deviceIds: ['range-1'], fromMs: T0, toMs: T0 + 3_600_000 });
    expect(hour).toMatchObject({ count: 4, pm25UgM3: 40, pm25CalibratedUgM3: 20, humidityPct: 60 });
  });

  it('gives two readings with broken clocks received in the same millisecond times of their own', async () => {
    const { worker, stored } = setup();
    const lass = (pm: number) => ({
      topic: 'LASS/Test/PM25',
      payload: Buffer.from(
        `|ver_format=3|app=PM25|device_id=FT1_1|date=2080-01-06|time=00:00:00|s_d0=${pm}.00`,
      ),
      clientId: null,
      receivedAtMs: T0,
    });
    await worker.handle(lass(1));
    await worker.handle(lass(2));
    const rows = await stored('FT1_1');
    expect(rows.map((r) => [r.time, r.pm25UgM3])).toEqual([
      [new Date(T0).toISOString(), 1],
      [new Date(T0 + 1).toISOString(), 2],
    ]);
  });

  it('does not acknowledge what the store cannot take, and forgets it for the retry', async () => {
    const { store, worker, stored } = setup();
    const write = store.write.bind(store);
    store.write = () => Promise.reject(new Error('disk full'));
    await expect(worker.handle(msg('fail-1', 0))).rejects.toThrow('disk full');
    store.write = write;
    expect(await worker.handle(msg('fail-1', 0))).toMatchObject({ readings: 1, duplicates: 0 });
    expect(await stored('fail-1')).toHaveLength(1);
  });
});
