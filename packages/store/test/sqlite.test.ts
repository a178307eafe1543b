import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SCHEMA_VERSION,
  SqliteStoreError,
  openSqliteStore,
  type SqliteStore,
} from '../src/index.ts';
import { describeStoreConformance } from './conformance.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, boxReading, deadLetter } from './readings.ts';

describeStoreConformance('sqlite', async () => openSqliteStore({ path: ':memory:' }));

const DAY_MS = 24 * HOUR_MS;
const everything = { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER };

describe('SqliteStore retention', () => {
  let nowMs = T0_MS;
  let store: SqliteStore;
  const now = () => nowMs;
  const timesOf = async (deviceId: string) =>
    (await store.series({ deviceIds: [deviceId], ...everything })).map((r) => r.time);

  beforeEach(() => {
    nowMs = T0_MS;
    store = openSqliteStore({ path: ':memory:', retentionDays: 7, now });
  });
  afterEach(async () => {
    await store.close();
  });

  it('prunes raw readings older than the retention and keeps the hourly roll-up', async () => {
    const old = boxReading('74DA38F207DE', T0_MS - 8 * DAY_MS);
    const kept = boxReading('74DA38F207DE', T0_MS - 6 * DAY_MS);
    const gone = boxReading('74DA38AABBCC', T0_MS - 9 * DAY_MS);
    await store.write([old, kept, gone]);
    expect(store.prune()).toBe(2);
    expect(await timesOf('74DA38F207DE')).toEqual([kept.time]);
    expect(await store.countReadings()).toBe(1);
    const hours = await store.hourly({
      deviceIds: ['74DA38F207DE', '74DA38AABBCC'],
      ...everything,
    });
    expect(hours.map((h) => [h.deviceId, h.count])).toEqual([
      ['74DA38AABBCC', 1],
      ['74DA38F207DE', 1],
      ['74DA38F207DE', 1],
    ]);
    // Its only reading is gone, so the device is no longer "latest".
    expect((await store.latest()).map((r) => r.deviceId)).toEqual(['74DA38F207DE']);
  });

  it('prunes from write() at most once an hour, by the injected clock', async () => {
    const deviceId = '74DA38F207DE';
    await store.write([boxReading(deviceId, T0_MS - 8 * DAY_MS)]); // prunes first, then stores
    nowMs += 59 * MINUTE_MS;
    await store.write([boxReading(deviceId, T0_MS)]);
    expect(await store.countReadings()).toBe(2);
    nowMs += 2 * MINUTE_MS;
    await store.write([boxReading(deviceId, T0_MS + MINUTE_MS)]);
    expect(await timesOf(deviceId)).toEqual([
      new Date(T0_MS).toISOString(),
      new Date(T0_MS + MINUTE_MS).toISOString(),
    ]);
  });

  it('keeps everything when no retention is set', async () => {
    const forever = openSqliteStore({ path: ':memory:', now });
    await forever.write([boxReading('74DA38F207DE', T0_MS - 3_650 * DAY_MS)]);
    expect(forever.prune()).toBe(0);
    expect(await forever.countReadings()).toBe(1);
    await forever.close();
  });
});

describe('SqliteStore on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airbox-store-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates missing folders and keeps readings across close and reopen', async () => {
    const path = join(dir, 'data', 'nested', 'airbox.db');
    const reading = boxReading('74DA38F207DE', T0_MS);
    const first = openSqliteStore({ path });
    await first.write([reading]);
    await first.addDeadLetter(deadLetter('LASS/Test/PM25', T0_MS, new Uint8Array([0xff])));
    await first.close();
    const again = openSqliteStore({ path });
    expect(await again.series({ deviceIds: [reading.deviceId], ...everything })).toEqual([reading]);
    expect(again.deadLetterCount()).toBe(1);
    expect(await again.write([reading])).toEqual({ written: 0, duplicates: 1 });
    await again.close();
  });

  it('reads back a dead letter whose code it does not list as unknown-code, the code kept in its reason', async () => {
    const path = join(dir, 'airbox.db');
    const store = openSqliteStore({ path });
    const editor = new Database(path);
    // As another version of AirBox might have written it (a code since renamed).
    editor
      .prepare(
        `INSERT INTO dead_letters (received_ms, topic, payload, client_id, code, reason)
         VALUES (?, 'airbox/v1/box/reading', ?, 'box', 'too-big', 'payload is 90000 bytes')`,
      )
      .run(T0_MS, Buffer.from('x'));
    editor.close();
    expect(await store.deadLetters()).toMatchObject([
      {
        topic: 'airbox/v1/box/reading',
        code: 'unknown-code',
        reason: 'too-big: payload is 90000 bytes',
      },
    ]);
    await store.close();
  });

  it('runs in WAL mode at the current schema version', async () => {
    const path = join(dir, 'airbox.db');
    const store = openSqliteStore({ path });
    await store.write([boxReading('74DA38F207DE', T0_MS)]);
    const probe = new Database(path, { readonly: true });
    expect(probe.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(probe.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    probe.close();
    await store.close();
  });

  it('refuses a row it did not write rather than return a wrong type', async () => {
    const path = join(dir, 'airbox.db');
    const store = openSqliteStore({ path });
    await store.write([boxReading('74DA38F207DE', T0_MS)]);
    const editor = new Database(path);
    // Raw columns cannot be updated (a trigger refuses it): the foreign row comes as an insert.
    editor
      .prepare(
        `INSERT INTO readings (device_id, time_ms, received_ms, format, flags, kind)
         VALUES ('74DA38F207DE', ?, ?, 'lass-v9', '', 'box')`,
      )
      .run(T0_MS + MINUTE_MS, T0_MS + MINUTE_MS);
    editor.close();
    const corrupt = {
      code: 'store-corrupt-row',
      message: expect.stringMatching(/74DA38F207DE .* unknown format "lass-v9"/),
    };
    await expect(store.latest()).rejects.toMatchObject(corrupt);
    const day = { deviceIds: ['74DA38F207DE'], fromMs: T0_MS, toMs: T0_MS + DAY_MS };
    await expect(store.seriesRows(day)).rejects.toMatchObject(corrupt);
    await store.close();
  });

  it('refuses a folder, an impossible folder, a non-database file and a newer schema', () => {
    const notDb = join(dir, 'notes.txt');
    writeFileSync(notDb, 'PM2.5 readings, not a database\n'.repeat(200));
    const newer = join(dir, 'newer.db');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    mkdirSync(join(dir, 'folder.db'));
    const cases = [
      [join(dir, 'folder.db'), 'store-path-is-directory', /folder\.db is a directory/],
      [
        join(notDb, 'airbox.db'),
        'store-path-unusable',
        /cannot look up the path for SQLite store .*notes\.txt.*not a directory/,
      ],
      [notDb, 'store-open-failed', /notes\.txt.*not a database/],
      [
        newer,
        'store-schema-too-new',
        new RegExp(`newer\\.db has schema version ${SCHEMA_VERSION + 1}`),
      ],
    ] as const;
    for (const [path, code, message] of cases) {
      const error = catchError(() => openSqliteStore({ path }));
      expect(error).toBeInstanceOf(SqliteStoreError);
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    }
  });
});

describe('SqliteStore seriesRows', () => {
  it('reads texts back exactly, and shares one labels object between equal texts', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const deviceId = '74DA38F207DE';
    const odd = { app: 'Edimax "AirBox", 台北\n\u2028\\', firmware: '[1,2]', flags: [] };
    const readings = [0, 1, 2, 3].map((m) =>
      boxReading(deviceId, T0_MS + m * MINUTE_MS, m < 3 ? odd : { calibrationModel: 'm@1' }),
    );
    await store.write(readings);
    const [device] = await store.seriesRows({ deviceIds: [deviceId], ...everything });
    const labels = device?.rows.map((row) => row[10]) ?? [];
    expect(labels[0]).toMatchObject({ app: odd.app, firmware: odd.firmware });
    expect(labels[1]).toBe(labels[0]);
    expect(labels[2]).toBe(labels[0]);
    expect(labels[3]).not.toBe(labels[0]);
    expect(labels[3]).toMatchObject({ app: 'AirBox', calibrationModel: 'm@1' });
    expect(Object.isFrozen(labels[0])).toBe(true);
    await store.close();
  });
});

describe('SqliteStore bounds and lifecycle', () => {
  it('keeps at most maxDeadLetters, deleting the oldest and counting them', async () => {
    const store = openSqliteStore({ path: ':memory:', maxDeadLetters: 5 });
    for (let i = 0; i < 8; i++) {
      await store.addDeadLetter(
        deadLetter('LASS/Test/PM25', T0_MS + i * 1_000, new Uint8Array([i])),
      );
    }
    expect(store.deadLetterCount()).toBe(5);
    expect(store.evictedDeadLetters).toBe(3);
    const kept = await store.deadLetters({ limit: 100 });
    expect(kept.map((l) => l.payload[0])).toEqual([7, 6, 5, 4, 3]);
    await store.close();
  });

  it('writes 10,000 readings in one call and counts them exactly', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const readings = Array.from({ length: 10_000 }, (_, i) =>
      boxReading(
        `74DA38${String(i % 100).padStart(6, '0')}`,
        T0_MS + Math.floor(i / 100) * MINUTE_MS,
      ),
    );
    expect(await store.write(readings)).toEqual({ written: 10_000, duplicates: 0 });
    expect(await store.countReadings()).toBe(10_000);
    expect(await store.write(readings)).toEqual({ written: 0, duplicates: 10_000 });
    expect((await store.latest()).length).toBe(100);
    await store.close();
  });

  it('rejects a batch with an invalid time as a whole, naming the device', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const bad = { ...boxReading('74DA38F207DE', T0_MS), time: '2024-13-45T99:00' };
    await expect(store.write([boxReading('74DA38AABBCC', T0_MS), bad])).rejects.toThrow(
      /time of a reading from 74DA38F207DE is "2024-13-45T99:00"/,
    );
    expect(await store.countReadings()).toBe(0);
    await store.close();
  });

  it('reports no buffers, and rejects every call after close', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    expect(store.stats()).toEqual({
      pendingReadings: 0,
      spilledReadings: 0,
      droppedReadings: 0,
      retries: 0,
    });
    await store.close();
    await store.close();
    const closed = { code: 'store-closed', message: expect.stringMatching(/after close\(\)/) };
    await expect(store.write([])).rejects.toMatchObject(closed);
    await expect(store.latest()).rejects.toMatchObject(closed);
    await expect(store.seriesRows({ deviceIds: ['a'], ...everything })).rejects.toMatchObject(
      closed,
    );
    await expect(store.countReadings()).rejects.toMatchObject(closed);
    await expect(store.deadLetters()).rejects.toMatchObject(closed);
    expect(() => store.prune()).toThrow(/prune\(\) called after close\(\)/);
  });

  it('refuses nonsensical options', () => {
    expect(() => openSqliteStore({ path: ':memory:', retentionDays: 0 })).toThrow(
      /retentionDays 0/,
    );
    expect(() => openSqliteStore({ path: ':memory:', maxDeadLetters: 1.5 })).toThrow(
      /maxDeadLetters/,
    );
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
