import type { StoredReading } from '@airbox/contracts';
import { requireBinary, startVictoriaMetrics, type TestServer } from '@airbox/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMBER_FIELDS, openInfluxStore, type InfluxV2Config } from '../src/index.ts';
import { FAST, fleet, spillFiles, tempDir, waitUntil } from './influx-fixtures.ts';

const skip = await requireBinary('victoria-metrics');

/** One series of `/api/v1/export`: JSON lines, one per metric + label set. */
interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

async function exportSeries(url: string, match: string): Promise<ExportedSeries[]> {
  // Moves freshly ingested rows into searchable parts now instead of within ~1 s.
  await fetch(`${url}/internal/force_flush`).then((r) => r.arrayBuffer());
  const res = await fetch(
    `${url}/api/v1/export?${new URLSearchParams({ 'match[]': match }).toString()}`,
  );
  const body = await res.text();
  if (!res.ok) throw new Error(`export: ${res.status} ${body}`);
  return body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ExportedSeries);
}

/** device|field|timeMs → value, as VictoriaMetrics names them (`reading_<field>`). */
function flatten(series: ExportedSeries[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of series) {
    const field = (s.metric['__name__'] ?? '').replace(/^reading_/, '');
    s.timestamps.forEach((t, i) =>
      out.set(`${s.metric['device_id']}|${field}|${t}`, s.values[i] ?? NaN),
    );
  }
  return out;
}

function expected(readings: StoredReading[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of readings) {
    for (const [field, prop] of Object.entries(NUMBER_FIELDS)) {
      const value = r[prop];
      if (typeof value === 'number') out.set(`${r.deviceId}|${field}|${Date.parse(r.time)}`, value);
    }
  }
  return out;
}

describe.skipIf(skip)('InfluxStore v2 write path against VictoriaMetrics (/api/v2/write)', () => {
  let server: TestServer;
  let spill: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    server = await startVictoriaMetrics();
    spill = await tempDir('influx-v2-spill');
  });
  afterAll(async () => {
    await server?.stop();
    await spill?.remove();
  });

  const config = (more: Partial<InfluxV2Config> = {}): InfluxV2Config => ({
    mode: 'v2',
    url: server.url,
    org: 'airbox',
    bucket: 'airbox',
    token: 'VictoriaMetrics ignores it',
    spillDir: spill.path,
    ...FAST,
    ...more,
  });

  it('has every point acknowledged and stored with exact values', async () => {
    const store = await openInfluxStore(config());
    const prefix = `vm-${Date.now().toString(36)}`;
    // Recent times: VictoriaMetrics keeps what falls inside its retention.
    const readings = fleet(prefix, 20, 120, Date.now() - 3 * 3_600_000);
    try {
      const startedMs = performance.now();
      expect(await store.write(readings)).toEqual({ written: readings.length, duplicates: 0 });
      const seconds = (performance.now() - startedMs) / 1_000;
      console.info(
        `victoria-metrics /api/v2/write: ${readings.length} readings in ${seconds.toFixed(2)} s = ${Math.round(readings.length / seconds)} points/s`,
      );
      // Counted from the client's writeSuccess callbacks, one per acknowledged batch.
      expect(store.details()).toMatchObject({ acknowledgedPoints: readings.length, online: true });
      expect(store.stats()).toEqual({
        pendingReadings: 0,
        spilledReadings: 0,
        droppedReadings: 0,
        retries: 0,
      });
    } finally {
      await store.close();
    }
    expect(await spillFiles(spill.path)).toEqual([]);

    const want = expected(readings);
    const match = `{__name__=~"reading_(${Object.keys(NUMBER_FIELDS).join('|')})",device_id=~"${prefix}-.*"}`;
    const got = await waitUntil(
      'every numeric field to be exported',
      async () => flatten(await exportSeries(server.url, match)),
      (m) => m.size >= want.size,
    );
    expect(got.size).toBe(want.size);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));

    // String fields are stored as 0 by VictoriaMetrics, but one point per reading still shows.
    const receivedAt = await exportSeries(
      server.url,
      `{__name__="reading_received_at",device_id=~"${prefix}-.*"}`,
    );
    expect(receivedAt.reduce((n, s) => n + s.timestamps.length, 0)).toBe(readings.length);
    expect(
      receivedAt.every((s) => s.metric['kind'] === 'box' && s.metric['format'] === 'lass-v3'),
    ).toBe(true);
  });

  it('keeps a rewritten point beside the first, so history cannot be recalibrated there', async () => {
    const deviceId = `vm-rewrite-${Date.now().toString(36)}`;
    const timeMs = Date.now() - 3_600_000;
    const reading = fleet(deviceId, 1, 1, timeMs)[0];
    if (reading === undefined) throw new Error('fleet() made no reading');
    // Two store instances, as two processes: neither knows the other wrote the key.
    for (const pm25CalibratedUgM3 of [5, 3]) {
      const store = await openInfluxStore(config());
      await store.write([{ ...reading, pm25CalibratedUgM3, calibrationModel: 'm' }]);
      await store.close();
    }
    const match = `{__name__="reading_pm25_calibrated",device_id="${reading.deviceId}"}`;
    const series = await waitUntil(
      'both samples to be exported',
      () => exportSeries(server.url, match),
      (s) => (s[0]?.values.length ?? 0) >= 2,
    );
    // InfluxDB would hold one point with the second value (a point rewrite replaces fields);
    // VictoriaMetrics, without -dedup.minScrapeInterval, keeps both samples at that time.
    expect(series[0]?.timestamps).toEqual([timeMs, timeMs]);
    expect([...(series[0]?.values ?? [])].sort()).toEqual([3, 5]);

    const store = await openInfluxStore(config());
    try {
      // It answers /query with a stub, not InfluxQL: recalibrate fails on its first read.
      const range = { fromMs: timeMs, toMs: timeMs + 1 };
      const anything = () => ({ value: 1, model: 'x' });
      await expect(store.recalibrate(range, anything)).rejects.toMatchObject({
        code: 'influx-bad-row',
        message: expect.stringMatching(/does the server answer InfluxQL/),
      });
      await expect(
        store.recalibrate({ ...range, deviceIds: [reading.deviceId] }, anything),
      ).rejects.toMatchObject({ code: 'influx-bad-row' });
      expect(store.details().acknowledgedPoints).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('measures a larger write (throughput, printed)', async () => {
    const store = await openInfluxStore(config({ batchSize: 5_000, concurrency: 2 }));
    const readings = fleet(
      `vm-tp-${Date.now().toString(36)}`,
      100,
      400,
      Date.now() - 8 * 3_600_000,
    );
    try {
      const startedMs = performance.now();
      expect((await store.write(readings)).written).toBe(readings.length);
      const seconds = (performance.now() - startedMs) / 1_000;
      console.info(
        `victoria-metrics /api/v2/write: ${readings.length} readings in ${seconds.toFixed(2)} s = ${Math.round(readings.length / seconds)} points/s`,
      );
      expect(store.details().acknowledgedPoints).toBe(readings.length);
    } finally {
      await store.close();
    }
  });
});
