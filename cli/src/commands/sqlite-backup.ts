import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import type { CliIo } from '../io.ts';

/**
 * One SQLite file copied with SQLite's online backup API, safe while 'airbox serve' writes
 * it (airbox backup), then checked.
 */

/** Files at least this big report their progress on stderr. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
/** 16 MiB of 4 KiB pages a step: the event loop (and serve's writes) go on between steps. */
const STEP_PAGES = 4096;
/**
 * SQLite restarts an online backup when another connection writes the source between two
 * steps (https://www.sqlite.org/c3ref/backup_finish.html, sqlite3_backup_step). Under a
 * steady stream of readings that could go on forever; after this many restarts the rest is
 * copied in one step: one read transaction, which WAL mode lets the writer work beside.
 */
const MAX_RESTARTS = 2;
const ALL_PAGES = 0x7fffffff;

interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

/** The part of better-sqlite3's Database used here (its docs/api.md). */
interface SqliteDb {
  backup(
    destination: string,
    options: { progress: (p: BackupProgress) => number },
  ): Promise<BackupProgress>;
  pragma(source: string, options: { simple: true }): unknown;
  close(): void;
}
type SqliteOpen = new (
  path: string,
  options?: { readonly?: boolean; fileMustExist?: boolean },
) => SqliteDb;
// @types/better-sqlite3 is not a dependency of this package (see the report); the module
// itself is, so it is loaded as the constructor described above.
const Database = createRequire(import.meta.url)('better-sqlite3') as SqliteOpen;

/**
 * How many pages the next backup step copies: STEP_PAGES, or everything left once the
 * backup restarted MAX_RESTARTS times. `restarts` is reported in the summary.
 */
export function backupStepper() {
  let lastCopied = 0;
  const state = {
    restarts: 0,
    next(p: BackupProgress): number {
      // Every step copies pages, so a step that did not get further began again.
      const copied = p.totalPages - p.remainingPages;
      if (lastCopied > 0 && copied <= lastCopied) state.restarts += 1;
      lastCopied = copied;
      return state.restarts >= MAX_RESTARTS ? ALL_PAGES : STEP_PAGES;
    },
  };
  return state;
}

export async function copyDatabase(source: string, dest: string, label: string, io: CliIo) {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  const stepper = backupStepper();
  let shownTenths = 0;
  try {
    const pageBytes = Number(db.pragma('page_size', { simple: true }));
    await db.backup(dest, {
      progress: (p) => {
        const tenths = Math.floor((10 * (p.totalPages - p.remainingPages)) / p.totalPages);
        if (p.totalPages * pageBytes >= PROGRESS_MIN_BYTES && tenths > shownTenths) {
          shownTenths = tenths;
          io.stderr.write(`backup: ${label} ${tenths * 10}% of ${p.totalPages} pages\n`);
        }
        return stepper.next(p);
      },
    });
  } finally {
    db.close();
  }
  // The copy keeps the source's WAL mode; as a rollback-journal file it is one
  // self-contained file (serve switches it back to WAL when it opens it after a restore).
  const copy = new Database(dest, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE', { simple: true });
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new Error(`the copy of ${source} fails quick_check: ${String(check)}`);
  } finally {
    copy.close();
  }
  return { restarts: stepper.restarts, bytes: statSync(dest).size };
}
