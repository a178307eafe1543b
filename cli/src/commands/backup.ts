import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { REGISTRY_FILE } from '@airbox/calibrate';
import { parseCommandArgs } from '../args.ts';
import { CONFIG_USAGE } from '../config-file.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { isPostgresUrl } from '../registry-options.ts';
import { dumpRegistry, REGISTRY_DUMP, restoreRegistry } from './backup-postgres.ts';
import { copyDatabase } from './sqlite-backup.ts';

export { backupStepper } from './sqlite-backup.ts';

const usage = `usage: airbox backup --data-dir DIR --to DIR [--keep N] [--registry postgres://…]
       airbox backup --restore BACKUP_DIR --data-dir DIR [--registry postgres://…] [--force]

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
                   (and a --registry database that has tables)
  --registry URL   the PostgreSQL registry 'airbox serve --registry' was given: dumped with
                   pg_dump into the backup as ${REGISTRY_DUMP} (one consistent snapshot, also
                   while serve writes), and loaded with psql on --restore into an empty
                   database. Needs PostgreSQL's client programs (Debian: postgresql-client)
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

/**
 * The data files present in `dir`; a missing required one is an error naming it. With the
 * registry in PostgreSQL (`registryElsewhere`) there need be no devices.db.
 */
function presentFiles(dir: string, what: string, io: CliIo, registryElsewhere = false) {
  const present = [];
  for (const file of DATA_FILES) {
    if (existsSync(join(dir, file.name))) present.push(file);
    else if (file.required && !registryElsewhere)
      throw new Error(`no ${file.name} (${file.holds}) in ${what} ${dir}`);
    else io.stderr.write(`backup: no ${file.name} in ${dir} (${file.holds}); skipped\n`);
  }
  return present;
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

async function backup(
  dataDir: string,
  toDir: string,
  keep: number,
  registryUrl: string | undefined,
  io: CliIo,
) {
  const startedMs = io.now();
  requireDir(dataDir, '--data-dir');
  const files = presentFiles(dataDir, 'the data dir', io, registryUrl !== undefined);
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
    if (registryUrl !== undefined) {
      const dumped = await dumpRegistry(registryUrl, join(partial, REGISTRY_DUMP));
      copied.push({ name: REGISTRY_DUMP, restarts: 0, ...dumped });
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

async function restore(
  from: string,
  dataDir: string,
  registryUrl: string | undefined,
  force: boolean,
  io: CliIo,
) {
  const startedMs = io.now();
  requireDir(from, '--restore');
  const dump = join(from, REGISTRY_DUMP);
  if (existsSync(dump) !== (registryUrl !== undefined)) {
    throw new UsageError(
      registryUrl === undefined
        ? `${from} holds a PostgreSQL registry (${REGISTRY_DUMP}): give --registry postgres://… to load it into`
        : `${from} has no ${REGISTRY_DUMP}: its registry is devices.db; restore without --registry`,
    );
  }
  const files = presentFiles(from, 'the backup', io, registryUrl !== undefined);
  mkdirSync(dataDir, { recursive: true });
  const existing = readdirSync(dataDir);
  if (existing.length > 0 && !force) {
    throw new Error(
      `${dataDir} is not empty (${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''}); stop 'airbox serve' and add --force to replace its database files`,
    );
  }
  // The database first: it is refused when not empty, before any file was replaced.
  const restored = [];
  if (registryUrl !== undefined) {
    restored.push({ name: REGISTRY_DUMP, ...(await restoreRegistry(registryUrl, dump, force)) });
  }
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

/** `--registry`: a PostgreSQL URL; a SQLite registry is devices.db, copied with the data dir. */
function postgresRegistry(value: string | undefined): string | undefined {
  if (value === undefined || isPostgresUrl(value)) return value;
  throw new UsageError(
    `--registry takes a postgres:// URL, got '${value}': a SQLite registry is the data dir's devices.db, backed up with it`,
  );
}

export const backupCommand: Command = {
  name: 'backup',
  summary:
    "copy the data dir's SQLite files (and a PostgreSQL registry) while serve runs, keep the newest N; or restore",
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, {
      'data-dir': { type: 'string' },
      to: { type: 'string' },
      keep: { type: 'string' },
      restore: { type: 'string' },
      force: { type: 'boolean' },
      registry: { type: 'string' },
    });
    const dataDir = resolve(v['data-dir'] ?? 'data');
    const registryUrl = postgresRegistry(v.registry);
    let summary;
    if (v.restore !== undefined) {
      if (v.to !== undefined || v.keep !== undefined) {
        throw new UsageError('--restore takes --data-dir (and --force), not --to or --keep');
      }
      summary = await restore(resolve(v.restore), dataDir, registryUrl, v.force === true, io);
    } else {
      if (v.force === true) throw new UsageError('--force goes with --restore');
      if (v.to === undefined) throw new UsageError('--to DIR is required (where backups go)');
      summary = await backup(dataDir, resolve(v.to), keepCount(v.keep), registryUrl, io);
    }
    io.stdout.write(JSON.stringify(summary) + '\n');
    return 0;
  },
};
