import type { StoredReading } from '@airbox/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireBinary, startInfluxd, type TestServer } from '@airbox/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openInfluxStore, readingToLine, type InfluxStore } from '../src/index.ts';
import { describeStoreConformance } from './conformance.ts';
import {
  FAST,
  fleet,
  spillFiles,
  tempDir,
  v1Config,
  waitUntil,
  writeRaw,
} from './influx-fixtures.ts';
import {
  HOUR_MS,
  T0_MS,
  asStored,
  boxReading,
  deadLetter,
  fullReading,
  emptyReading,
} from './readings.ts';

const skip = await requireBinary('influxd');
const DB = 'airbox';

describe.skipIf(skip)('InfluxStore v1 mode against influxd (Debian 1.6.7)', () => {
  let server: TestServer;
  let spill: Awaited<ReturnType<typeof tempDir>>;
  const open = (more = {}) => openInfluxStore(v1Config(server.url, DB, spill.path, more));

  beforeAll(async () => {
    server = await startInfluxd();
    spill = await tempDir('influx-v1-spill');
  });
  afterAll(async () => {
    await server?.stop();
    await spill?.remove();
  });

  describeStoreConformance('influxdb v1 (influxd 1.6.7)', () => open());

  describe('round trip', () => {
    let store: InfluxStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });

    it('reads back a fleet exactly through series, latest, hourly and countReadings', async () => {
      const prefix = `rt-${Date.now().toString(36)}`;
      const readings = fleet(prefix, 12, 150, T0_MS);
      const before = await store.countReadings();
      expect(await store.write(readings)).toEqual({ written: readings.length, duplicates: 0 });
      expect(store.stats()).toEqual({
        pendingReadings: 0,
        spilledReadings: 0,
        droppedReadings: 0,
        retries: 0,
      });
      expect((await store.countReadings()) - before).toBe(readings.length);

      const deviceIds = [...new Set(readings.map((r) => r.deviceId))];
      const span = { deviceIds, fromMs: T0_MS, toMs: T0_MS + 150 * 60_000 };
      expect(await store.series(span)).toEqual(readings.map(asStored));

      const newest = deviceIds.map((id) => readings.filter((r) => r.deviceId === id).at(-1));
      expect(await store.latest({ deviceIds })).toEqual(newest.map((r) => r && asStored(r)));

      const hourly = await store.hourly(span);
      expect(hourly).toEqual(expectedHourly(readings));
    });

    it('keeps special characters in tags and strings, and nulls as nulls', async () => {
      const id = `odd id,with=chars ${Date.now()}`;
      const reading = fullReading(id, T0_MS);
      reading.app = 'say "hi" \\ ok';
      reading.firmware = 'line1\nline2';
      const empty = emptyReading(`${id}-empty`, T0_MS);
      await store.write([reading, empty]);
      const got = await store.series({
        deviceIds: [id, empty.deviceId],
        fromMs: T0_MS,
        toMs: T0_MS + 1,
      });
      expect(got).toEqual([reading, asStored(empty)]);
    });

    it('round-trips dead letters with their bytes and ids', async () => {
      const topic = `LASS/Test/dl-${Date.now()}`;
      const baseMs = Date.now();
      const sent = [0, 1, 2].map((i) => deadLetter(topic, baseMs, new Uint8Array([i, 0xff, 0x00])));
      for (const letter of sent) await store.addDeadLetter(letter);
      const got = (await store.deadLetters({ sinceMs: baseMs })).filter((l) => l.topic === topic);
      // Three letters in one millisecond: none overwrites another.
      expect(got.map((l) => Array.from(l.payload))).toEqual(
        sent.reverse().map((l) => Array.from(l.payload)),
      );
      expect(new Set(got.map((l) => l.id)).size).toBe(3);
    });
  });

  describe('a point the server refuses (400)', () => {
    let store: InfluxStore;
    let writeRequests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes('/write?')) writeRequests++;
      return fetch(input, init);
    };
    beforeEach(async () => {
      writeRequests = 0;
      store = await openInfluxStore(v1Config(server.url, DB, spill.path), { fetch: countingFetch });
    });
    afterEach(async () => {
      await store.close();
    });

    const cases: {
      name: string;
      bad: (deviceId: string) => StoredReading;
      before?: (deviceId: string) => Promise<void>;
    }[] = [
      {
        // A device clock reset to year 1500 passes no QC: InfluxDB times end at ±292 years.
        name: 'time out of range',
        bad: (deviceId) => boxReading(deviceId, Date.parse('1500-01-01T00:00:00.000Z')),
      },
      {
        // Schema drift: another writer made pm25 a string in this shard first.
        name: 'field type conflict',
        bad: (deviceId) => boxReading(deviceId, Date.parse('2020-01-01T01:00:00.000Z')),
        before: async (deviceId) => {
          const status = await writeRaw(
            server.url,
            DB,
            `reading,device_id=${deviceId}x,format=lass-v3,kind=box pm25="oops" 1577836800000`,
          );
          expect(status).toBe(204);
        },
      },
    ];

    it.each(cases)(
      '$name: goes to the dead letters once, the rest is written, nothing is retried',
      async (c) => {
        const prefix = `refused-${Date.now().toString(36)}`;
        await c.before?.(prefix);
        const good = fleet(prefix, 1, 20, T0_MS);
        const bad = c.bad(`${prefix}-bad`);
        const sinceMs = Date.now() - 1_000;

        const result = await store.write([...good.slice(0, 10), bad, ...good.slice(10)]);
        expect(result).toEqual({ written: 20, duplicates: 0 });
        // Bisection: ~2 requests per halving of 21 points, plus the dead letter.
        expect(writeRequests).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(21)) + 2);

        const letters = (await store.deadLetters({ sinceMs })).filter(
          (l) => new TextDecoder().decode(l.payload) === readingToLine(bad),
        );
        expect(letters).toHaveLength(1);
        expect(letters[0]).toMatchObject({
          topic: 'store:influxdb',
          code: 'influx-refused',
          clientId: null,
        });
        expect(letters[0]?.reason).toMatch(/400/);
        expect(
          await store.series({
            deviceIds: [good[0]?.deviceId ?? ''],
            fromMs: 0,
            toMs: T0_MS + HOUR_MS,
          }),
        ).toEqual(good);

        const requestsAfter = writeRequests;
        await sleep(FAST.retryMaxMs * 2);
        expect(writeRequests).toBe(requestsAfter);
        expect(store.stats()).toEqual({
          pendingReadings: 0,
          spilledReadings: 0,
          droppedReadings: 0,
          retries: 0,
        });
        expect(store.details()).toMatchObject({
          refusedReadings: 1,
          droppedDeadLetters: 0,
          online: true,
        });
        expect(await spillFiles(spill.path)).toEqual([]);
      },
    );
  });

  it('writes a large batch quickly (throughput, printed)', async () => {
    const store = await open({ batchSize: 5_000, concurrency: 2 });
    try {
      const readings = fleet(`tp-${Date.now().toString(36)}`, 100, 400, T0_MS);
      const startedMs = performance.now();
      expect((await store.write(readings)).written).toBe(readings.length);
      const seconds = (performance.now() - startedMs) / 1_000;
      console.info(
        `influxd 1.6.7 v1 /write: ${readings.length} readings in ${seconds.toFixed(2)} s = ${Math.round(readings.length / seconds)} points/s`,
      );
      await waitUntil(
        'the points to be counted',
        () => store.countReadings(),
        (n) => n >= readings.length,
      );
    } finally {
      await store.close();
    }
  });
});

/** The roll-up computed in JS, as the port defines it. */
function expectedHourly(readings: StoredReading[]) {
  const groups = new Map<string, StoredReading[]>();
  for (const r of readings) {
    const hourMs = Math.floor(Date.parse(r.time) / HOUR_MS) * HOUR_MS;
    const key = `${r.deviceId}|${new Date(hourMs).toISOString()}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const mean = (
    rs: StoredReading[],
    pick: (r: StoredReading) => number | null | undefined,
  ): unknown => {
    const values = rs.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length === 0
      ? null
      : expect.closeTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
  };
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, rs]) => ({
      deviceId: key.split('|')[0],
      hour: key.split('|')[1],
      count: rs.length,
      pm25UgM3: mean(rs, (r) => r.pm25UgM3),
      pm25CalibratedUgM3: mean(rs, (r) => r.pm25CalibratedUgM3),
      pm10UgM3: mean(rs, (r) => r.pm10UgM3),
      pm1UgM3: mean(rs, (r) => r.pm1UgM3),
      temperatureC: mean(rs, (r) => r.temperatureC),
      humidityPct: mean(rs, (r) => r.humidityPct),
    }));
}
