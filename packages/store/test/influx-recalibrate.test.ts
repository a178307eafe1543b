import { requireBinary, startInfluxd, type TestServer } from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInfluxStore, type Recalibrator } from '../src/index.ts';
import { fleet, spillFiles, tempDir, v1Config, waitUntil } from './influx-fixtures.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, asStored, boxReading } from './readings.ts';

const skip = await requireBinary('influxd');
const DB = 'recalibrate';
const doubled: Recalibrator = (r) => ({ value: (r.pm25UgM3 ?? 0) * 2, model: 'double@1' });
const twoHours = { fromMs: T0_MS, toMs: T0_MS + 2 * HOUR_MS };

describe.skipIf(skip)('InfluxStore recalibrate against influxd (Debian 1.6.7)', () => {
  let server: TestServer;
  let spill: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    server = await startInfluxd();
    spill = await tempDir('influx-recal-spill');
  });
  afterAll(async () => {
    await server?.stop();
    await spill?.remove();
  });

  it('rewrites both points of a time stamp where a device changed format, across chunks', async () => {
    const store = await openInfluxStore(v1Config(server.url, DB, spill.path));
    const deviceId = `format-change-${Date.now().toString(36)}`;
    // Format is a tag: at 10:02 the device has two points (lass-v3 and, after a firmware
    // update, lass-v2). Chunks of 3 end between them.
    const readings = [0, 1, 2, 3, 4].map((m) => boxReading(deviceId, T0_MS + m * MINUTE_MS));
    const changed = boxReading(deviceId, T0_MS + 2 * MINUTE_MS, { format: 'lass-v2' });
    try {
      await store.write(readings);
      // Another process (a replay, a second worker) writes it: this store would count the
      // second point as a duplicate of (device, time), whatever its format.
      const other = await openInfluxStore(v1Config(server.url, DB, spill.path));
      await other.write([changed]);
      await other.close();
      expect(await store.series({ deviceIds: [deviceId], ...twoHours })).toHaveLength(6);
      const result = await store.recalibrate({ deviceIds: [deviceId], ...twoHours }, doubled, {
        chunkSize: 3,
      });
      expect(result).toEqual({ updated: 6, unchanged: 0, references: 0, notCleared: 0 });
      const stored = await store.series({ deviceIds: [deviceId], ...twoHours });
      expect(stored).toHaveLength(6);
      expect(stored.every((r) => r.calibrationModel === 'double@1')).toBe(true);
      expect(stored.every((r) => r.pm25CalibratedUgM3 === 25)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('refuses while readings are spilled, and recalibrates once they are replayed', async () => {
    let writesDown = true;
    // The write endpoint is unreachable (a network cut on the write path); queries still work.
    const flakyFetch: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (writesDown && url.includes('/write?'))
        return Promise.reject(new TypeError('fetch failed'));
      return fetch(input, init);
    };
    const store = await openInfluxStore(v1Config(server.url, DB, spill.path), {
      fetch: flakyFetch,
    });
    const deviceId = `spilled-${Date.now().toString(36)}`;
    const readings = [0, 10, 20].map((m) => boxReading(deviceId, T0_MS + m * MINUTE_MS));
    const query = { deviceIds: [deviceId], ...twoHours };
    try {
      expect((await store.write(readings)).written).toBe(3);
      expect(store.stats().spilledReadings).toBe(3);
      await expect(store.recalibrate(query, doubled)).rejects.toMatchObject({
        code: 'influx-spill-pending',
        message: expect.stringMatching(/3 readings wait in .* for the server/),
      });

      writesDown = false;
      // Replayed: the files gone and the count the store goes by back to 0 (the file goes
      // first, so a recalibration between the two would still be refused, as it says).
      await waitUntil(
        'the replay',
        async () => ({
          files: await spillFiles(spill.path),
          spilled: store.stats().spilledReadings,
        }),
        (r) => r.files.length === 0 && r.spilled === 0,
      );
      expect(await store.recalibrate(query, doubled)).toMatchObject({ updated: 3 });
      expect(await store.series(query)).toEqual(
        readings.map((r) =>
          asStored({ ...r, pm25CalibratedUgM3: 25, calibrationModel: 'double@1' }),
        ),
      );
    } finally {
      await store.close();
    }
  });

  it('recalibrates 20,000 points in chunks, and the hourly means follow (throughput, printed)', async () => {
    const store = await openInfluxStore(v1Config(server.url, DB, spill.path));
    const readings = fleet(`recal-tp-${Date.now().toString(36)}`, 10, 2_000, T0_MS);
    const deviceIds = [...new Set(readings.map((r) => r.deviceId))];
    const range = { deviceIds, fromMs: T0_MS, toMs: T0_MS + 2_000 * MINUTE_MS };
    try {
      await store.write(readings);
      const startedMs = performance.now();
      const result = await store.recalibrate(range, doubled);
      const seconds = (performance.now() - startedMs) / 1_000;
      console.info(
        `influxd 1.6.7 recalibrate: ${result.updated} points in ${seconds.toFixed(2)} s = ${Math.round(result.updated / seconds)} points/s`,
      );
      expect(result).toEqual({ updated: 20_000, unchanged: 0, references: 0, notCleared: 0 });
      const [first] = await store.hourly({ ...range, deviceIds: [deviceIds[0] ?? ''] });
      const firstHour = readings.slice(0, 60).map((r) => 2 * (r.pm25UgM3 ?? 0));
      const mean = firstHour.reduce((a, b) => a + b, 0) / firstHour.length;
      expect(first?.pm25CalibratedUgM3).toBeCloseTo(mean, 9);
      expect(first?.pm25UgM3).toBeCloseTo(mean / 2, 9);
    } finally {
      await store.close();
    }
  });
});
