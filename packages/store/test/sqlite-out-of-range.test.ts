import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.ts';
import { migrate } from '../src/sqlite/schema.ts';
import { HOUR_MS, MINUTE_MS, T0_MS, boxReading } from './readings.ts';

/**
 * A file written before out-of-range values were left out of the roll-up: the frozen
 * migrations alone (measure-schema.ts had nothing to add for these five measures), and its
 * readings inserted through their trigger, which summed every value it was given.
 */
function fileOfBefore(path: string, deviceId: string): void {
  const db = new Database(path);
  migrate(db, path);
  const insert = db.prepare<[string, number, number, number, string]>(
    `INSERT INTO readings (device_id, time_ms, received_ms, pm25_ug_m3, pm10_ug_m3, format, flags, kind)
     VALUES (?, ?, ?, ?, 20, 'lass-v3', ?, 'box')`,
  );
  // Two hours alike: 10 and 20 µg/m³ beside a flagged 1e308.
  for (const hourMs of [T0_MS, T0_MS + HOUR_MS]) {
    for (const [minute, pm25, flags] of [
      [0, 10, ''],
      [10, 1e308, 'pm25-out-of-range'],
      [20, 20, ''],
    ] as const) {
      const timeMs = hourMs + minute * MINUTE_MS;
      insert.run(deviceId, timeMs, timeMs + 1_000, pm25, flags);
    }
  }
  db.close();
}

const triggerSql = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare<[], { sql: string }>(
      "SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
    )
    .all();
  db.close();
  return rows.map((r) => r.sql);
};

describe('SqliteStore: out-of-range values in a file written before the rule', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airbox-out-of-range-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gets the new roll-up trigger on open, and its whole poisoned hours are summed again', async () => {
    const path = join(dir, 'airbox.db');
    const deviceId = '74DA38F207DE';
    fileOfBefore(path, deviceId);
    const day = { deviceIds: [deviceId], fromMs: T0_MS, toMs: T0_MS + 3 * HOUR_MS };
    // The second hour lost its first reading to retention: its sums cannot be rebuilt.
    const db = new Database(path);
    db.prepare('DELETE FROM readings WHERE time_ms = ?').run(T0_MS + HOUR_MS);
    db.close();

    const store = openSqliteStore({ path });
    const later = T0_MS + 2 * HOUR_MS;
    await store.write([
      boxReading(deviceId, later, { pm25UgM3: 30 }),
      boxReading(deviceId, later + MINUTE_MS, { pm25UgM3: -50, flags: ['pm25-out-of-range'] }),
    ]);
    expect((await store.hourly(day)).map((h) => [h.count, h.pm25UgM3])).toEqual([
      [3, 15],
      // Kept as it was summed (10 + 1e308 + 20 over 3): what was pruned is not known.
      [3, expect.closeTo(1e308 / 3, -300)],
      [2, 30],
    ]);
    // The raw values stay as they were stored.
    expect((await store.series(day)).map((r) => r.pm25UgM3)).toEqual([
      10, 1e308, 20, 1e308, 20, 30, -50,
    ]);
    await store.close();

    // Opening again finds the triggers as this code writes them and changes nothing.
    const before = triggerSql(path);
    await openSqliteStore({ path }).close();
    expect(triggerSql(path)).toEqual(before);
  });
});
