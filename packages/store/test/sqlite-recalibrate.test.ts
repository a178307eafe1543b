import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, openSqliteStore, type Recalibrator } from '../src/index.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, boxReading } from './readings.ts';

const DAY_MS = 24 * HOUR_MS;
const tripled: Recalibrator = (r) => ({ value: (r.pm25UgM3 ?? 0) * 3, model: 'triple@1' });
const hourOf = { fromMs: T0_MS, toMs: T0_MS + HOUR_MS };

describe('SqliteStore recalibrate', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airbox-recal-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses, in the engine itself, any SQL that overwrites a raw value', async () => {
    const path = join(dir, 'airbox.db');
    const store = openSqliteStore({ path });
    await store.write([boxReading('74DA38F207DE', T0_MS, { kind: 'reference' })]);
    await store.close();
    const editor = new Database(path);
    for (const sql of [
      'UPDATE readings SET pm25_ug_m3 = 1',
      "UPDATE readings SET flags = ''",
      'UPDATE readings SET received_ms = 0',
    ]) {
      expect(() => editor.prepare(sql).run()).toThrow(/raw values are never overwritten/);
    }
    expect(() => editor.prepare("UPDATE readings SET calibration_model = 'x'").run()).toThrow(
      /reference-station reading is never recalibrated/,
    );
    editor.close();
  });

  it('moves an hour whose other readings were pruned by the difference only', async () => {
    let nowMs = T0_MS;
    const store = openSqliteStore({ path: ':memory:', retentionDays: 1, now: () => nowMs });
    const deviceId = '74DA38F207DE';
    // 10:00 and 10:30 with calibrated 4 and 8; the 10:00 one is then pruned, the hour stays.
    await store.write([
      boxReading(deviceId, T0_MS, { pm25UgM3: 5, pm25CalibratedUgM3: 4, calibrationModel: 'a' }),
      boxReading(deviceId, T0_MS + 30 * MINUTE_MS, {
        pm25UgM3: 10,
        pm25CalibratedUgM3: 8,
        calibrationModel: 'a',
      }),
    ]);
    nowMs = T0_MS + DAY_MS + 15 * MINUTE_MS;
    expect(store.prune()).toBe(1);

    const result = await store.recalibrate({ deviceIds: [deviceId], ...hourOf }, tripled);
    expect(result).toMatchObject({ updated: 1 });
    const [hour] = await store.hourly({ deviceIds: [deviceId], ...hourOf });
    // The pruned reading still counts with its old 4; the kept one now has 30.
    expect(hour).toMatchObject({ count: 2, pm25CalibratedUgM3: 17, pm25UgM3: 7.5 });
    await store.close();
  });

  it('upgrades a file written before recalibration existed and keeps its roll-up right', async () => {
    const path = join(dir, 'airbox.db');
    const deviceId = '74DA38F207DE';
    const first = openSqliteStore({ path });
    await first.write([0, 20, 40].map((m) => boxReading(deviceId, T0_MS + m * MINUTE_MS)));
    await first.close();
    // What a schema-1 file looks like: the recalibration triggers are not there yet.
    const old = new Database(path);
    for (const name of [
      'readings_raw_immutable',
      'readings_reference_calibration',
      'readings_recalibrate_rollup',
    ]) {
      old.exec(`DROP TRIGGER ${name}`);
    }
    old.pragma('user_version = 1');
    old.close();

    const store = openSqliteStore({ path });
    expect(await store.recalibrate({ deviceIds: [deviceId], ...hourOf }, tripled)).toMatchObject({
      updated: 3,
    });
    const [hour] = await store.hourly({ deviceIds: [deviceId], ...hourOf });
    expect(hour?.pm25CalibratedUgM3).toBeCloseTo(37.5, 9);
    await store.close();
    const probe = new Database(path, { readonly: true });
    expect(probe.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    probe.close();
  });

  it('recalibrates 50,000 readings in bounded chunks (throughput, printed)', async () => {
    const store = openSqliteStore({ path: join(dir, 'big.db') });
    const devices = 10;
    const perDevice = 5_000;
    for (let d = 0; d < devices; d++) {
      const deviceId = `74DA38${String(d).padStart(6, '0')}`;
      await store.write(
        Array.from({ length: perDevice }, (_, i) =>
          boxReading(deviceId, T0_MS + i * MINUTE_MS, { pm25UgM3: 5 + (i % 40) }),
        ),
      );
    }
    let chunks = 0;
    const startedMs = performance.now();
    const result = await store.recalibrate(
      { fromMs: T0_MS, toMs: T0_MS + perDevice * MINUTE_MS },
      tripled,
      { onProgress: () => chunks++ },
    );
    const seconds = (performance.now() - startedMs) / 1_000;
    console.info(
      `sqlite recalibrate: ${result.updated} readings in ${seconds.toFixed(2)} s = ${Math.round(result.updated / seconds)} readings/s, ${chunks} chunks`,
    );
    expect(result).toEqual({
      updated: devices * perDevice,
      unchanged: 0,
      references: 0,
      notCleared: 0,
    });
    // Chunks of at most 5,000 readings (the default), fewer when a chunk would hold the write
    // lock longer than ~20 ms: at least one a device, at least 50 readings each.
    expect(chunks).toBeGreaterThanOrEqual(devices);
    expect(chunks).toBeLessThanOrEqual((devices * perDevice) / 50);
    await store.close();
  });

  it('finishes while another process writes to the same file all along (airbox serve)', async () => {
    const path = join(dir, 'airbox.db');
    const store = openSqliteStore({ path });
    const deviceIds = ['box-a', 'box-b'];
    for (const deviceId of deviceIds) {
      await store.write(
        Array.from({ length: 5000 }, (_, i) => boxReading(deviceId, T0_MS + i * MINUTE_MS)),
      );
    }
    // A writer committing every millisecond or so, as a server storing readings does.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.pragma('busy_timeout = 5000');
         db.exec('CREATE TABLE IF NOT EXISTS other_writes (x)');
         const insert = db.prepare('INSERT INTO other_writes VALUES (?)');
         const pause = new Int32Array(new SharedArrayBuffer(4));
         for (let i = 0; ; i++) { insert.run(i); Atomics.wait(pause, 0, 0, 1); }`,
        path,
      ],
      { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const result = await store.recalibrate(
        { deviceIds, fromMs: T0_MS, toMs: T0_MS + DAY_MS * 7 },
        tripled,
        {
          chunkSize: 500,
        },
      );
      expect(result).toMatchObject({ updated: 10_000 });
    } finally {
      writer.kill();
      await store.close();
    }
  });

  it('refuses a bad range or chunk size, naming it', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    await expect(
      store.recalibrate({ deviceIds: ['a'], fromMs: Number.NaN, toMs: 1 }, tripled),
    ).rejects.toMatchObject({
      code: 'store-invalid-recalibration',
      message: expect.stringMatching(/fromMs is NaN/),
    });
    await expect(
      store.recalibrate({ deviceIds: ['a'], ...hourOf }, tripled, { chunkSize: 0 }),
    ).rejects.toThrow(/chunkSize 0/);
    await store.close();
    await expect(store.recalibrate(hourOf, tripled)).rejects.toMatchObject({
      code: 'store-closed',
    });
  });
});
