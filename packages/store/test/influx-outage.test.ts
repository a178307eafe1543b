import type { StoredReading } from '@airbox/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startInfluxd, type TestServer } from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInfluxStore, type InfluxStore } from '../src/index.ts';
import { fleet, spillFiles, tempDir, v1Config, waitUntil } from './influx-fixtures.ts';
import { T0_MS, asStored } from './readings.ts';

const skip = await requireBinary('influxd');
const DB = 'outage';
const OUTAGE_MS = 2_500;

/** Everything written so far, read back in series order. */
async function readBack(store: InfluxStore, readings: StoredReading[]): Promise<StoredReading[]> {
  const deviceIds = [...new Set(readings.map((r) => r.deviceId))];
  return store.series({ deviceIds, fromMs: 0, toMs: T0_MS + 30 * 24 * 3_600_000 });
}

const inSeriesOrder = (readings: StoredReading[]): StoredReading[] =>
  [...readings]
    .sort((a, b) =>
      a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.time < b.time ? -1 : 1,
    )
    .map(asStored);

describe.skipIf(skip)('InfluxStore while influxd is down', () => {
  let server: TestServer;
  let spill: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    server = await startInfluxd();
    spill = await tempDir('influx-outage-spill');
  });
  afterAll(async () => {
    await server?.stop();
    await spill?.remove();
  });

  it('spills while the server is killed and replays everything once it is back', async () => {
    const store = await openInfluxStore(v1Config(server.url, DB, spill.path));
    const prefix = `outage-${Date.now().toString(36)}`;
    const readings = fleet(prefix, 10, 120, T0_MS);
    const [before, during, after] = [
      readings.slice(0, 200),
      readings.slice(200, 1000),
      readings.slice(1000),
    ];
    try {
      expect((await store.write(before)).written).toBe(before.length);

      await server.kill();
      const outageStartedMs = Date.now();
      // A worker keeps writing small batches through the outage; each resolves (spilled).
      for (let i = 0; i < during.length; i += 50) {
        expect(await store.write(during.slice(i, i + 50))).toEqual({ written: 50, duplicates: 0 });
        await sleep(OUTAGE_MS / (during.length / 50));
      }
      expect(store.stats().spilledReadings).toBe(during.length);
      expect(store.stats().pendingReadings).toBe(0);
      expect(store.details().online).toBe(false);
      expect((await spillFiles(spill.path)).length).toBeGreaterThan(0);
      expect(Date.now() - outageStartedMs).toBeLessThan(OUTAGE_MS * 3);

      await server.restart();
      expect((await store.write(after)).written).toBe(after.length);

      await waitUntil(
        'the spill directory to drain',
        () => spillFiles(spill.path),
        (files) => files.length === 0,
        15_000,
      );
      expect(await readBack(store, readings)).toEqual(inSeriesOrder(readings));
      const stats = store.stats();
      expect(stats).toMatchObject({ pendingReadings: 0, spilledReadings: 0, droppedReadings: 0 });
      expect(stats.retries).toBeGreaterThan(0);
      expect(store.details().online).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('keeps spill files across a store restart and replays them at the next open', async () => {
    const prefix = `reopen-${Date.now().toString(36)}`;
    const readings = fleet(prefix, 3, 40, T0_MS);
    await server.kill();
    const first = await openInfluxStore(v1Config(server.url, DB, spill.path));
    expect((await first.write(readings)).written).toBe(readings.length);
    await first.close();
    expect((await spillFiles(spill.path)).length).toBeGreaterThan(0);

    await server.restart();
    const second = await openInfluxStore(v1Config(server.url, DB, spill.path));
    try {
      expect(second.stats().spilledReadings).toBe(readings.length);
      await waitUntil(
        'the replay at open',
        () => spillFiles(spill.path),
        (files) => files.length === 0,
        15_000,
      );
      expect(await readBack(second, readings)).toEqual(inSeriesOrder(readings));
    } finally {
      await second.close();
    }
  });
});
