import type Database from 'better-sqlite3';
import type { RecalibrateOptions, RecalibrateResult, Recalibrator, SeriesQuery } from '../port.ts';
import { RecalibrationTally, decide, type Refuse } from '../recalibration.ts';
import { readingFromColumns } from './rows.ts';
import type { Statements } from './statements.ts';

export interface RecalibrateRun {
  db: Database.Database;
  sql: Statements['readings'];
  query: SeriesQuery;
  calibrate: Recalibrator;
  options: RecalibrateOptions;
  chunkSize: number;
  refuse: Refuse;
  /** Throws when the store was closed while the run was between chunks. */
  assertOpen: () => void;
}

interface ChunkDone {
  rows: number;
  /** Where the next chunk starts, or null after the last one. */
  nextFromMs: number | null;
}

/**
 * Between two chunks, the write lock is left free for as long as the chunk held it: a
 * server writing to the same file (airbox serve) waits for it, retrying on timers
 * (lock-wait.ts); a lock taken again at once would keep its readings waiting for their
 * PUBACKs. This process's own loop runs meanwhile (a progress line).
 */
const leaveLockFree = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(1, ms)));

/**
 * How long one chunk may hold the write lock: a server waiting for it waits as long (its
 * event loop no longer does: lock-wait.ts), and its PUBACKs with it. Chunks shrink below
 * chunkSize until they hold it about this long.
 */
const LOCK_HOLD_MS = 20;
const MIN_CHUNK = 50;

/** The next chunk's size, from how long this one of `size` rows held the lock. */
function nextChunkSize(size: number, heldMs: number, max: number): number {
  const fitted = Math.round((size * LOCK_HOLD_MS) / Math.max(heldMs, 1));
  return Math.min(max, Math.max(MIN_CHUNK, fitted, Math.round(size / 2)), size * 2);
}

/**
 * Recalibrates device by device, one chunk of at most chunkSize readings per transaction
 * (fewer, so that each holds the write lock about LOCK_HOLD_MS): memory and the time the
 * write lock is held stay bounded whatever the range, and a run stopped half-way leaves
 * whole chunks done. Device ids must be sorted and unique.
 */
export async function recalibrateReadings(run: RecalibrateRun): Promise<RecalibrateResult> {
  const { db, sql, query, calibrate, refuse } = run;
  const tally = new RecalibrationTally();
  let size = Math.min(run.chunkSize, 1000);
  const chunk = db.transaction((deviceId: string, fromMs: number): ChunkDone => {
    const rows = sql.chunk.all(deviceId, fromMs, query.toMs, size);
    for (const row of rows) {
      const decision = decide(readingFromColumns(row), calibrate, refuse);
      if (decision.kind === 'update') {
        sql.setCalibration.run(decision.value, decision.model, deviceId, row[1]);
      }
      tally.count(decision);
    }
    const last = rows.at(-1);
    // A short chunk is the last one; otherwise go on after the last time seen.
    const nextFromMs = rows.length < size || last === undefined ? null : last[1] + 1;
    return { rows: rows.length, nextFromMs };
  });
  for (const deviceId of query.deviceIds) {
    let fromMs: number | null = query.fromMs;
    while (fromMs !== null) {
      run.assertOpen();
      const startedMs = performance.now();
      // IMMEDIATE: the write lock first, waited for (busy_timeout). A deferred transaction
      // reads, then fails at once (SQLITE_BUSY) if another connection wrote meanwhile.
      const done: ChunkDone = chunk.immediate(deviceId, fromMs);
      const heldMs = performance.now() - startedMs;
      if (done.rows > 0) run.options.onProgress?.({ ...tally.result(), deviceId });
      fromMs = done.nextFromMs;
      if (done.rows === size) size = nextChunkSize(size, heldMs, run.chunkSize);
      await leaveLockFree(heldMs);
    }
  }
  return tally.result();
}
