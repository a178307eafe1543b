import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStoreError, messageOf } from './errors.ts';
import { addMeasureColumns } from './measure-schema.ts';
import { addDeadLetterDeviceColumn, migrate } from './schema.ts';
import { BUSY_TIMEOUT_MS } from './lock-wait.ts';

export const IN_MEMORY = ':memory:';

export type SynchronousMode = 'normal' | 'full';

function unusable(path: string, problem: string, error: unknown): SqliteStoreError {
  return new SqliteStoreError(
    'store-path-unusable',
    `${problem} for SQLite store ${path}: ${messageOf(error)}; check the path and its permissions`,
    { cause: error },
  );
}

/** Makes sure `path` can hold a database file: creates missing folders, refuses a folder. */
function preparePath(path: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch (error) {
    // ENOTDIR, EACCES: a parent is a file or cannot be searched.
    throw unusable(path, 'cannot look up the path', error);
  }
  if (isDirectory) {
    throw new SqliteStoreError(
      'store-path-is-directory',
      `SQLite store path ${path} is a directory; pass a file path, e.g. ${join(path, 'airbox.db')}`,
    );
  }
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw unusable(path, `cannot create the folder ${dir}`, error);
  }
}

function configure(db: Database.Database, synchronous: SynchronousMode): void {
  // WAL: readers (API, CLI) never block the writer, and a commit appends instead of
  // rewriting pages. It is persistent in the file; ':memory:' stays in 'memory' mode.
  db.pragma('journal_mode = WAL');
  // In WAL mode NORMAL fsyncs at checkpoints, not at every commit: the file cannot corrupt,
  // and a process crash loses nothing; only an OS crash or power cut can lose the last
  // commits. Redelivery from devices covers that, and it multiplies insert throughput.
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  // A batch from many devices dirties one leaf page per device (the key is device-major) in
  // readings and in hourly. A 32 MiB cache keeps those hot pages, and checkpointing every
  // ~40 MiB of WAL instead of 4 MiB copies each hot page back once instead of many times:
  // together they doubled inserts from 500 devices (about 18k -> 40k+ rows/s, 2 vCPU).
  db.pragma('cache_size = -32768');
  db.pragma('wal_autocheckpoint = 10000');
  // After a checkpoint, shrink the WAL file back rather than keep its high-water mark.
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  // Another process (the CLI, a backup) may hold the lock briefly; wait rather than fail.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Opens (creating if needed) the database at `path`, in WAL mode and at the current schema,
 * with a column for every measure of MEASURES.
 * Every failure is a SqliteStoreError naming the path, with the engine's error as `cause`.
 */
export function openDatabase(path: string, synchronous: SynchronousMode): Database.Database {
  const target = path === IN_MEMORY ? path : resolve(path);
  if (target !== IN_MEMORY) preparePath(target);
  let db: Database.Database;
  try {
    db = new Database(target);
  } catch (error) {
    throw new SqliteStoreError(
      'store-open-failed',
      `cannot open SQLite store ${target}: ${messageOf(error)}; check that the file is writable by this user`,
      { cause: error },
    );
  }
  try {
    configure(db, synchronous);
    migrate(db, target);
    addMeasureColumns(db);
    addDeadLetterDeviceColumn(db);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof SqliteStoreError) throw error;
    throw new SqliteStoreError(
      'store-open-failed',
      `cannot use SQLite store ${target}: ${messageOf(error)}; check that it is an airbox SQLite file and writable by this user`,
      { cause: error },
    );
  }
}
