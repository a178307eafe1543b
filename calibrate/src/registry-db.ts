import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { CalibrationError } from './errors.ts';

/** The registry's file inside a data directory (`airbox … --data-dir`). */
export const REGISTRY_FILE = 'calibration.sqlite';

export function registryPath(dataDir: string): string {
  return join(dataDir, REGISTRY_FILE);
}

/**
 * Migrations, oldest first: MIGRATIONS[i] takes `PRAGMA user_version` from i to i + 1.
 * A released entry is never edited; a change is a new entry.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE models (
    id TEXT PRIMARY KEY,
    method TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('device', 'region', 'global')),
    scope_key TEXT NOT NULL,
    seq INTEGER NOT NULL,
    params TEXT NOT NULL,
    trained_from_ms INTEGER NOT NULL,
    trained_to_ms INTEGER NOT NULL,
    sites TEXT NOT NULL,
    metrics TEXT,
    reason TEXT,
    created_ms INTEGER NOT NULL,
    active INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
    UNIQUE (scope, scope_key, seq)
  );
  -- At most one active model per scope: the database, not the code, keeps that true.
  CREATE UNIQUE INDEX models_one_active ON models (scope, scope_key) WHERE active = 1;

  CREATE TABLE pairs (
    site TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    time TEXT NOT NULL,
    raw_pm25_ug_m3 REAL NOT NULL,
    rh_pct REAL,
    temperature_c REAL,
    ref_pm25_ug_m3 REAL NOT NULL,
    station TEXT,
    PRIMARY KEY (site, time_ms)
  ) WITHOUT ROWID;

  CREATE TABLE drift_events (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    detected_ms INTEGER NOT NULL,
    previous_model TEXT NOT NULL,
    new_model TEXT NOT NULL,
    residual_slope_ug_m3_per_day REAL NOT NULL,
    previous_rmse_ug_m3 REAL NOT NULL,
    new_rmse_ug_m3 REAL NOT NULL,
    reasons TEXT NOT NULL
  );

  -- A change counter bumped by every model change. Readers in other processes poll it;
  -- PRAGMA data_version would miss changes made through the reader's own connection.
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO meta VALUES ('version', 0);
  `,
];

function migrate(db: Database.Database, path: string): void {
  const from = Number(db.pragma('user_version', { simple: true }));
  if (from > MIGRATIONS.length) {
    throw new CalibrationError(
      'registry-unusable',
      `model registry ${path} has schema version ${from}, newer than this code's ` +
        `${MIGRATIONS.length}; upgrade airbox`,
    );
  }
  for (let version = from; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Opens (creating) the registry file in WAL mode: the worker reads while a refit writes. */
export function openRegistryDb(path: string): Database.Database {
  const target = resolve(path);
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(target), { recursive: true });
    db = new Database(target);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The CLI and the server may write at the same moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    migrate(db, target);
    return db;
  } catch (error) {
    db?.close();
    if (error instanceof CalibrationError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CalibrationError(
      'registry-unusable',
      `cannot open model registry ${target}: ${reason}; check that the path is writable ` +
        'and that the file is an airbox calibration registry',
    );
  }
}
