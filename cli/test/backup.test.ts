import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupName, backupStepper } from '../src/commands/backup.ts';
import { runCli } from './run.ts';

/** The part of better-sqlite3 the test uses (no @types/better-sqlite3 in this package). */
interface Db {
  pragma(source: string, options?: { simple: true }): unknown;
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(): unknown };
  close(): void;
}
const Database = createRequire(import.meta.url)('better-sqlite3') as new (
  path: string,
  options?: { readonly?: boolean },
) => Db;

const T0 = Date.UTC(2026, 10, 27, 9, 30); // the name of a backup taken then
const root = mkdtempSync(join(tmpdir(), 'airbox-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A WAL database like serve's, with `rows` rows of 1 KiB. */
function walDb(path: string, rows: number): Db {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO t (payload) VALUES (?)');
  db.exec('BEGIN');
  for (let i = 0; i < rows; i++) insert.run(Buffer.alloc(1024, i % 256));
  db.exec('COMMIT');
  return db;
}

function count(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function dataDir(name: string, rows: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  walDb(join(dir, 'readings.db'), rows).close();
  walDb(join(dir, 'devices.db'), 3).close();
  return dir;
}

describe('airbox backup', () => {
  it('copies the data dir consistently while a writer keeps inserting', async () => {
    const dir = join(root, 'live');
    mkdirSync(dir);
    // 24 MiB: more than one backup step, so the writer gets in between steps.
    const writer = walDb(join(dir, 'readings.db'), 24_000);
    walDb(join(dir, 'devices.db'), 3).close();
    const committedBefore = count(join(dir, 'readings.db'));
    let writing = true;
    let writtenDuring = 0;
    const insert = writer.prepare('INSERT INTO t (payload) VALUES (?)');
    const loop = () => {
      if (!writing) return;
      insert.run(Buffer.alloc(1024, 7));
      writtenDuring += 1;
      setImmediate(loop);
    };
    setImmediate(loop);
    const to = join(root, 'backups-live');
    const res = await runCli(['backup', '--data-dir', dir, '--to', to], '', T0);
    writing = false;
    writer.close();

    expect(res.code, res.stderr).toBe(0);
    expect(writtenDuring).toBeGreaterThan(0);
    const summary = JSON.parse(res.stdout) as {
      backup: string;
      files: { name: string; bytes: number; restarts: number }[];
      bytes: number;
      pruned: string[];
    };
    expect(summary.backup).toBe(join(to, 'airbox-20261127T093000Z'));
    expect(summary.files.map((f) => f.name)).toEqual(['readings.db', 'devices.db']);
    // The writer got in between steps; SQLite began again twice, then copied in one step.
    expect(summary.files[0]?.restarts).toBe(2);
    expect(summary.bytes).toBeGreaterThan(24 * 1024 * 1024);
    expect(res.stderr).toContain('no calibration.sqlite');
    // The copy is one self-contained file per database, with every row committed before.
    expect(readdirSync(summary.backup).sort()).toEqual(['devices.db', 'readings.db']);
    expect(count(join(summary.backup, 'readings.db'))).toBeGreaterThanOrEqual(committedBefore);
    expect(count(join(summary.backup, 'devices.db'))).toBe(3);
    expect(readdirSync(to)).toEqual(['airbox-20261127T093000Z']);
  });

  it('keeps the newest --keep backups and leaves other folders alone', async () => {
    const dir = dataDir('keep', 10);
    const to = join(root, 'backups-keep');
    mkdirSync(join(to, 'notes'), { recursive: true });
    mkdirSync(join(to, 'airbox-manual-copy'));
    const pruned: string[][] = [];
    for (let i = 0; i < 4; i++) {
      const res = await runCli(
        ['backup', '--data-dir', dir, '--to', to, '--keep', '2'],
        '',
        T0 + i * 3_600_000,
      );
      expect(res.code, res.stderr).toBe(0);
      pruned.push((JSON.parse(res.stdout) as { pruned: string[] }).pruned);
    }
    expect(readdirSync(to).sort()).toEqual([
      'airbox-20261127T113000Z',
      'airbox-20261127T123000Z',
      'airbox-manual-copy',
      'notes',
    ]);
    expect(pruned).toEqual([[], [], ['airbox-20261127T093000Z'], ['airbox-20261127T103000Z']]);
  });

  it('restores a backup into an empty data dir, and into a used one only with --force', async () => {
    const dir = dataDir('source', 50);
    const to = join(root, 'backups-restore');
    const made = await runCli(['backup', '--data-dir', dir, '--to', to], '', T0);
    const backup = (JSON.parse(made.stdout) as { backup: string }).backup;

    const fresh = join(root, 'restored');
    const res = await runCli(['backup', '--restore', backup, '--data-dir', fresh]);
    expect(res.code, res.stderr).toBe(0);
    expect(count(join(fresh, 'readings.db'))).toBe(50);
    expect(count(join(fresh, 'devices.db'))).toBe(3);

    // The data dir moved on; a restore must not mix the old WAL into the restored file.
    const used = dataDir('used', 80);
    writeFileSync(join(used, 'readings.db-wal'), 'stale');
    const refused = await runCli(['backup', '--restore', backup, '--data-dir', used]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${used} is not empty`);
    expect(refused.stderr).toContain('--force');
    expect(count(join(used, 'readings.db'))).toBe(80);

    const forced = await runCli(['backup', '--restore', backup, '--data-dir', used, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(used, 'readings.db-wal'))).toBe(false);
    expect(count(join(used, 'readings.db'))).toBe(50);
  });

  it('names what is missing: the data dir, a database, --to', async () => {
    const nowhere = join(root, 'nowhere');
    const noDir = await runCli(['backup', '--data-dir', nowhere, '--to', join(root, 'b')]);
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toBe(`airbox backup: --data-dir ${nowhere} does not exist\n`);

    const half = join(root, 'half');
    mkdirSync(half);
    walDb(join(half, 'readings.db'), 1).close();
    const noDevices = await runCli(['backup', '--data-dir', half, '--to', join(root, 'b')]);
    expect(noDevices.stderr).toContain(
      `no devices.db (boxes, accounts and their credentials) in the data dir ${half}`,
    );
    expect(existsSync(join(root, 'b'))).toBe(false);

    const noTo = await runCli(['backup', '--data-dir', half]);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain('--to DIR is required');
    expect((await runCli(['backup', '--to', 'x', '--keep', '0'])).stderr).toContain(
      "--keep must be a whole number ≥ 1, got '0'",
    );
  });
});

describe('backup internals', () => {
  it('names backups by UTC time so that names sort by time', () => {
    expect(backupName(T0)).toBe('airbox-20261127T093000Z');
    expect(backupName(Date.UTC(2027, 0, 2, 3, 4, 5, 678))).toBe('airbox-20270102T030405Z');
  });

  it('copies the rest in one step once a busy writer restarted the backup twice', () => {
    const stepper = backupStepper();
    const steps = [
      { totalPages: 10_000, remainingPages: 10_000 },
      { totalPages: 10_000, remainingPages: 5_904 },
      { totalPages: 10_001, remainingPages: 1_809 }, // the file grew a page
      { totalPages: 10_001, remainingPages: 5_905 }, // restarted: back at the first step
      { totalPages: 10_002, remainingPages: 5_906 }, // restarted again
    ].map((p) => stepper.next(p));
    expect(steps.slice(0, 4)).toEqual([4096, 4096, 4096, 4096]);
    expect(steps[4]).toBeGreaterThanOrEqual(10_002);
    expect(stepper.restarts).toBe(2);
  });
});
