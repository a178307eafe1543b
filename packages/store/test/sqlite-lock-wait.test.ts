import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../src/index.ts';
import { MINUTE_MS, T0_MS, boxReading } from './readings.ts';

/**
 * Another connection holding the write lock (airbox calibrate recalibrate, a backup) must not
 * stop the writer's event loop: in airbox serve that loop is the broker's and the API's.
 */
describe('SqliteStore write while another connection holds the write lock', () => {
  let dir: string;
  let store: SqliteStore;
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airbox-lock-'));
    store = openSqliteStore({ path: join(dir, 'readings.db') });
    other = new Database(join(dir, 'readings.db'));
  });
  afterEach(async () => {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event loop turning while it waits, then stores the batch', async () => {
    other.exec('BEGIN IMMEDIATE');
    // The holder lets go on a timer of this same loop: a write waiting in SQLite's busy
    // handler would hold the loop, so the lock would never be freed (SQLITE_BUSY after 5 s).
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const startedMs = performance.now();
    setTimeout(() => other.exec('COMMIT'), 300);
    const result = await store.write([boxReading('74DA38F207DE', T0_MS)]);
    const waitedMs = performance.now() - startedMs;
    clearInterval(ticker);
    expect(result.written).toBe(1);
    expect(waitedMs).toBeGreaterThanOrEqual(290);
    expect(waitedMs).toBeLessThan(4000);
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it(
    'fails with SQLITE_BUSY, as before, when the lock is never freed',
    { timeout: 15_000 },
    async () => {
      other.exec('BEGIN IMMEDIATE');
      const write = store.write([boxReading('74DA38F207DE', T0_MS + MINUTE_MS)]);
      await expect(write).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
      other.exec('ROLLBACK');
      // Nothing half-written: the batch goes through once the lock is free.
      expect((await store.write([boxReading('74DA38F207DE', T0_MS + MINUTE_MS)])).written).toBe(1);
    },
  );
});
