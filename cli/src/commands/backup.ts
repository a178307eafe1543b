import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { REGISTRY_FILE } from '@airbox/calibrate';
import { parseCommandArgs } from '../args.ts';
import { CONFIG_USAGE } from '../config-file.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox backup --data-dir DIR --to DIR [--keep N]
       airbox backup --restore BACKUP_DIR --data-dir DIR [--force]

Consistent copies of the SQLite files of a data dir, safe while 'airbox serve' runs and
writes (SQLite's online backup API): readings.db, devices.db and, once models were fitted,
${REGISTRY_FILE}, into TO/airbox-<UTC time>/. A backup is written under a .partial name
and renamed when every file is copied and checked, so a folder named airbox-<time> is
always complete. Prints one JSON summary on stdout; progress of big files on stderr.

  --data-dir DIR   the data dir of 'airbox serve' (default ./data)
  --to DIR         where backups go (created if missing)
  --keep N         then delete all but the newest N airbox-<time> folders in --to (default 7)
  --restore DIR    copy the files of backup DIR into --data-dir instead (stop 'airbox serve' first)
  --force          with --restore: replace the database files of a data dir that is not empty
${CONFIG_USAGE}

Not included: the broker's sessions (DATA_DIR/broker) and an InfluxDB store (use InfluxDB's
own backup).`;

/** The SQLite files of a data dir, as serve names them. */
const DATA_FILES = [
  // store-options.ts: openSqliteStore({ path: join(dataDir, 'readings.db') })
  // Absent when readings go to InfluxDB (back that up with InfluxDB's own tools).
  { name: 'readings.db', required: false, holds: 'readings, hourly roll-up, dead letters' },
  // registry-options.ts: dataDirRegistry(dataDir); a postgres:// --registry is not in it.
  { name: 'devices.db', required: true, holds: 'boxes, accounts and their credentials' },
  // calibrate/src/registry-db.ts: created by the first fit
  { name: REGISTRY_FILE, required: false, holds: 'calibration models' },
] as const;

const DEFAULT_KEEP = 7;
const BACKUP_NAME = /^airbox-\d{8}T\d{6}Z$/;
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

/** `airbox-20261127T093000Z`: sorts by time, no characters a file system refuses. */
export function backupName(nowMs: number): string {
  return `airbox-${new Date(nowMs).toISOString().replace(/[-:]|\.\d{3}/g, '')}`;
}

function requireDir(path: string, flag: string): void {
  if (!existsSync(path)) throw new Error(`${flag} ${path} does not exist`);
  if (!statSync(path).isDirectory()) throw new Error(`${flag} ${path} is not a directory`);
}

function keepCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_KEEP;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`--keep must be a whole number ≥ 1, got '${value}'`);
  }
  return n;
}

/** The data files present in `dir`; a missing required one is an error naming it. */
function presentFiles(dir: string, what: string, io: CliIo) {
  const present = [];
  for (const file of DATA_FILES) {
    if (existsSync(join(dir, file.name))) present.push(file);
    else if (file.required) throw new Error(`no ${file.name} (${file.holds}) in ${what} ${dir}`);
    else io.stderr.write(`backup: no ${file.name} in ${dir} (${file.holds}); skipped\n`);
  }
  return present;
}

async function copyDatabase(source: string, dest: string, label: string, io: CliIo) {
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

/** Deletes all but the newest `keep` backups; other folders and files are left alone. */
function prune(toDir: string, keep: number): string[] {
  const backups = readdirSync(toDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && BACKUP_NAME.test(d.name))
    .map((d) => d.name)
    .sort()
    .reverse();
  const old = backups.slice(keep);
  for (const name of old) rmSync(join(toDir, name), { recursive: true, force: true });
  return old;
}

async function backup(dataDir: string, toDir: string, keep: number, io: CliIo) {
  const startedMs = io.now();
  requireDir(dataDir, '--data-dir');
  const files = presentFiles(dataDir, 'the data dir', io);
  const name = backupName(startedMs);
  const final = join(toDir, name);
  if (existsSync(final)) throw new Error(`${final} already exists; one backup a second at most`);
  const partial = join(toDir, `.${name}.partial`);
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const copied = [];
  try {
    for (const file of files) {
      const result = await copyDatabase(
        join(dataDir, file.name),
        join(partial, file.name),
        file.name,
        io,
      );
      copied.push({ name: file.name, ...result });
    }
    renameSync(partial, final);
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
  const pruned = prune(toDir, keep);
  return {
    backup: final,
    files: copied,
    bytes: copied.reduce((sum, f) => sum + f.bytes, 0),
    seconds: (io.now() - startedMs) / 1000,
    pruned,
  };
}

function restore(from: string, dataDir: string, force: boolean, io: CliIo) {
  const startedMs = io.now();
  requireDir(from, '--restore');
  const files = presentFiles(from, 'the backup', io);
  mkdirSync(dataDir, { recursive: true });
  const existing = readdirSync(dataDir);
  if (existing.length > 0 && !force) {
    throw new Error(
      `${dataDir} is not empty (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''}); stop 'airbox serve' and add --force to replace its database files`,
    );
  }
  const restored = [];
  for (const file of files) {
    const target = join(dataDir, file.name);
    const temp = `${target}.restoring`;
    copyFileSync(join(from, file.name), temp);
    // A WAL left from the old database would be replayed onto the restored one.
    rmSync(`${target}-wal`, { force: true });
    rmSync(`${target}-shm`, { force: true });
    renameSync(temp, target);
    restored.push({ name: file.name, bytes: statSync(target).size });
  }
  const names = new Set<string>(files.map((f) => f.name));
  return {
    restored: from,
    dataDir,
    files: restored,
    bytes: restored.reduce((sum, f) => sum + f.bytes, 0),
    seconds: (io.now() - startedMs) / 1000,
    // Not in the backup, so left as they were (e.g. models fitted after the backup).
    kept: DATA_FILES.map((f) => f.name).filter((n) => !names.has(n) && existing.includes(n)),
  };
}

export const backupCommand: Command = {
  name: 'backup',
  summary: "copy the data dir's SQLite files while serve runs, keep the newest N; or restore",
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, {
      'data-dir': { type: 'string' },
      to: { type: 'string' },
      keep: { type: 'string' },
      restore: { type: 'string' },
      force: { type: 'boolean' },
    });
    const dataDir = resolve(v['data-dir'] ?? 'data');
    let summary;
    if (v.restore !== undefined) {
      if (v.to !== undefined || v.keep !== undefined) {
        throw new UsageError('--restore takes --data-dir (and --force), not --to or --keep');
      }
      summary = restore(resolve(v.restore), dataDir, v.force === true, io);
    } else {
      if (v.force === true) throw new UsageError('--force goes with --restore');
      if (v.to === undefined) throw new UsageError('--to DIR is required (where backups go)');
      summary = await backup(dataDir, resolve(v.to), keepCount(v.keep), io);
    }
    io.stdout.write(JSON.stringify(summary) + '\n');
    return 0;
  },
};
