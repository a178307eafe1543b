import type { StoredReading } from '@airbox/contracts';
import { DuckDBInstance } from '@duckdb/node-api';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  archiveDay,
  archivedDays,
  createApi,
  DEFAULT_OPEN_DATA_TERMS,
  MetricsRegistry,
  publicStoreOf,
  type DayManifest,
} from '../src/index.ts';
import { DAY_MS, MINUTE_MS, reading, T0 } from './helpers.ts';

const DAY = '2026-11-27'; // T0's day
const hidden = new Set(['secret-9']);

/** Three boxes over two days, a reading every 10 minutes, one of them private. */
function readings(): StoredReading[] {
  const out: StoredReading[] = [];
  for (const id of ['roof-1', 'roof-2', 'secret-9']) {
    for (let t = T0 - DAY_MS / 2; t < T0 + DAY_MS + DAY_MS / 2; t += 10 * MINUTE_MS) {
      const pm = 5 + ((t / MINUTE_MS) % 37);
      out.push(
        reading(id, t, {
          pm25UgM3: pm,
          pm25CalibratedUgM3: pm * 0.8,
          flags: pm > 40 ? ['pm-order'] : [],
        }),
      );
    }
  }
  return out;
}

async function setUp() {
  const dir = tempDir('archive');
  const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
  await store.write(readings());
  const root = join(dir.path, 'archive');
  const pub = publicStoreOf(store, { hiddenDevices: () => hidden });
  const run = () =>
    archiveDay({
      store: pub,
      root,
      day: DAY,
      terms: DEFAULT_OPEN_DATA_TERMS,
      baseUrl: 'http://air.test',
    });
  const app = createApi({
    store,
    metrics: new MetricsRegistry(),
    rateLimit: false,
    hiddenDevices: () => hidden,
    archiveDir: root,
    now: () => T0 + 2 * DAY_MS,
  });
  return { dir, store, root, run, app };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('the daily archive', () => {
  it('writes a box file per public box and one Parquet file, equal to the API’s series', async () => {
    const { root, run, app, store } = await setUp();
    const result = await run();
    expect(result).toMatchObject({
      day: DAY,
      version: 1,
      changed: true,
      devices: 2,
      rows: 2 * 144,
    });

    const manifest = (
      await app.inject(`/archive/v1/date=${DAY}/manifest.json`)
    ).json<DayManifest>();
    expect(manifest.files.map((f) => f.path)).toEqual([
      `v1/date=${DAY}/version=1/airbox-${DAY}.parquet`,
      `v1/date=${DAY}/version=1/device=roof-1/year=2026/month=11/roof-1-20261127.csv.gz`,
      `v1/date=${DAY}/version=1/device=roof-2/year=2026/month=11/roof-2-20261127.csv.gz`,
    ]);
    expect(manifest.license.id).toBe('CC-BY-4.0');
    expect(manifest.calibrationModels).toEqual(['identity']);
    expect(JSON.stringify(manifest)).not.toContain('secret-9');

    for (const f of manifest.files) {
      const res = await app.inject(`/archive/${f.path}`);
      expect(res.statusCode, f.path).toBe(200);
      expect(sha256(res.rawPayload), f.path).toBe(f.sha256);
      expect(res.headers.link).toContain('rel="license"');
    }
    // Each box's file is the API's CSV for that box and day.
    const csv = gunzipSync(readFileSync(join(root, manifest.files[1]!.path))).toString();
    const api = await app.inject(
      `/api/v1/series?device=roof-1&from=${DAY}T00:00:00Z&to=2026-11-28T00:00:00Z&format=csv`,
    );
    expect(csv).toBe(api.body);

    // The Parquet file, read as a researcher would: rows, order and values of the series.
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const parquet = join(root, manifest.files[0]!.path);
    const rows = (
      await c.runAndReadAll(
        `SELECT deviceId, epoch_ms("time") AS t, pm25UgM3, pm25CalibratedUgM3, flags FROM read_parquet('${parquet}')`,
      )
    ).getRows();
    const series = await store.series({
      deviceIds: ['roof-1', 'roof-2'],
      fromMs: T0,
      toMs: T0 + DAY_MS,
    });
    expect(rows.map((r) => [r[0], Number(r[1]), r[2], r[3], r[4] ?? ''])).toEqual(
      series.map((r) => [
        r.deviceId,
        Date.parse(r.time),
        r.pm25UgM3,
        r.pm25CalibratedUgM3,
        r.flags.join(';'),
      ]),
    );
    c.closeSync();
    db.closeSync();
  });

  it('changes nothing when run again; writes a new version when the day’s data changed', async () => {
    const { run, store, app } = await setUp();
    await run();
    expect(await run()).toMatchObject({ version: 1, changed: false });
    await store.recalibrate({ deviceIds: ['roof-1'], fromMs: T0, toMs: T0 + DAY_MS }, () => ({
      value: 1,
      model: 'box:roof-1@2',
    }));
    await store.write([reading('roof-1', T0 + 5 * MINUTE_MS, { pm25UgM3: 99 })]);
    const second = await run();
    expect(second).toMatchObject({ version: 2, changed: true, rows: 2 * 144 + 1 });
    const manifest = (
      await app.inject(`/archive/v1/date=${DAY}/manifest.json`)
    ).json<DayManifest>();
    expect(manifest.previous.map((p) => p.version)).toEqual([1]);
    // The first version's files are still there for whoever was reading them.
    expect(
      (await app.inject(`/archive/v1/date=${DAY}/version=1/airbox-${DAY}.parquet`)).statusCode,
    ).toBe(200);
    const days = (await app.inject('/api/v1/archive/days')).json<{
      days: { day: string; version: number }[];
    }>();
    expect(days.days).toEqual([
      expect.objectContaining({ day: DAY, version: 2, rows: 2 * 144 + 1 }),
    ]);
  });

  it('answers a range request with 206 and exactly those bytes', async () => {
    const { root, run, app } = await setUp();
    await run();
    const path = `v1/date=${DAY}/version=1/airbox-${DAY}.parquet`;
    const whole = readFileSync(join(root, path));
    // Parquet's footer: the last 8 bytes are the footer length and the magic "PAR1".
    const res = await app.inject({
      url: `/archive/${path}`,
      headers: { range: `bytes=${whole.length - 8}-` },
    });
    expect(res.statusCode).toBe(206);
    expect(res.rawPayload.subarray(4).toString()).toBe('PAR1');
    expect(res.rawPayload).toEqual(whole.subarray(whole.length - 8));
    expect(res.headers['content-range']).toBe(
      `bytes ${whole.length - 8}-${whole.length - 1}/${whole.length}`,
    );
  });

  it('lets one writer at a time write a day: a second waits, then finds nothing to do', async () => {
    const { run } = await setUp();
    const both = await Promise.all([run(), run()]);
    expect(both.map((r) => [r.version, r.changed]).sort()).toEqual([
      [1, false],
      [1, true],
    ]);
  });

  it('writes nothing for a day without readings', async () => {
    const { root, run } = await setUp();
    const empty = await archiveDay({
      store: openSqliteStore({ path: ':memory:' }),
      root,
      day: DAY,
      terms: DEFAULT_OPEN_DATA_TERMS,
      baseUrl: 'http://x',
    });
    expect(empty).toEqual({ day: DAY, version: 0, changed: false, rows: 0, devices: 0 });
    expect(await archivedDays(root)).toEqual([]);
    await run();
    expect(await archivedDays(root)).toEqual([DAY]);
  });

  it('names a day that is not a date', async () => {
    const { root, store } = await setUp();
    await expect(
      archiveDay({
        store,
        root,
        day: '2026-02-30',
        terms: DEFAULT_OPEN_DATA_TERMS,
        baseUrl: 'http://x',
      }),
    ).rejects.toMatchObject({
      code: 'invalid-day',
      message: expect.stringContaining('2026-02-30'),
    });
  });
});
