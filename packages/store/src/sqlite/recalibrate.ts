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

/** Lets the event loop run (the worker, a progress line) between two chunks. */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Recalibrates device by device, one chunk of at most chunkSize readings per transaction:
 * memory and the time the write lock is held stay bounded whatever the range, and a run
 * stopped half-way leaves whole chunks done. Device ids must be sorted and unique.
 */
export async function recalibrateReadings(run: RecalibrateRun): Promise<RecalibrateResult> {
  const { db, sql, query, calibrate, chunkSize, refuse } = run;
  const tally = new RecalibrationTally();
  const chunk = db.transaction((deviceId: string, fromMs: number): ChunkDone => {
    const rows = sql.chunk.all(deviceId, fromMs, query.toMs, chunkSize);
    for (const row of rows) {
      const decision = decide(readingFromColumns(row), calibrate, refuse);
      if (decision.kind === 'update') {
        sql.setCalibration.run(decision.value, decision.model, deviceId, row[1]);
      }
      tally.count(decision);
    }
    const last = rows.at(-1);
    // A short chunk is the last one; otherwise go on after the last time seen.
    const nextFromMs = rows.length < chunkSize || last === undefined ? null : last[1] + 1;
    return { rows: rows.length, nextFromMs };
  });
  for (const deviceId of query.deviceIds) {
    let fromMs: number | null = query.fromMs;
    while (fromMs !== null) {
      run.assertOpen();
      const done: ChunkDone = chunk(deviceId, fromMs);
      if (done.rows > 0) run.options.onProgress?.({ ...tally.result(), deviceId });
      fromMs = done.nextFromMs;
      await yieldToLoop();
    }
  }
  return tally.result();
}
