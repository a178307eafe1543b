import type Database from 'better-sqlite3';
import { SqliteStoreError } from './errors.ts';

/**
 * Schema migrations, oldest first: MIGRATIONS[i] takes `PRAGMA user_version` from i to i + 1.
 * A migration is frozen once released — a later change (a new column) is a new entry, never
 * an edit, because files in the field already ran the old text. The columns of a measure
 * added to MEASURES are not migrations: measure-schema.ts adds them on open; nor is the
 * dead letters' device_id (addDeadLetterDeviceColumn).
 */
const MIGRATIONS: readonly string[] = [
  // v1: raw readings, the hourly roll-up, the latest index and dead letters.
  `
  -- WITHOUT ROWID: the (device, time) key is the table's own b-tree order, so one device's
  -- range is one contiguous scan and no second rowid index is kept.
  CREATE TABLE readings (
    device_id TEXT NOT NULL,
    time_ms INTEGER NOT NULL,
    received_ms INTEGER NOT NULL,
    device_time TEXT,
    lat REAL,
    lon REAL,
    pm1_ug_m3 REAL,
    pm25_ug_m3 REAL,
    pm10_ug_m3 REAL,
    temperature_c REAL,
    humidity_pct REAL,
    pm25_calibrated_ug_m3 REAL,
    calibration_model TEXT,
    format TEXT NOT NULL,
    app TEXT,
    firmware TEXT,
    flags TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('box', 'reference')),
    PRIMARY KEY (device_id, time_ms)
  ) WITHOUT ROWID;

  -- Counts and sums, never means: a late reading adds to an hour exactly, and a measure's
  -- own count (*_n) leaves out readings where it was null.
  CREATE TABLE hourly (
    device_id TEXT NOT NULL,
    hour_ms INTEGER NOT NULL,
    n INTEGER NOT NULL,
    pm1_n INTEGER NOT NULL, pm1_sum REAL NOT NULL,
    pm25_n INTEGER NOT NULL, pm25_sum REAL NOT NULL,
    pm10_n INTEGER NOT NULL, pm10_sum REAL NOT NULL,
    pm25_cal_n INTEGER NOT NULL, pm25_cal_sum REAL NOT NULL,
    temperature_n INTEGER NOT NULL, temperature_sum REAL NOT NULL,
    humidity_n INTEGER NOT NULL, humidity_sum REAL NOT NULL,
    PRIMARY KEY (device_id, hour_ms)
  ) WITHOUT ROWID;

  -- One row per device: latest() joins it to readings instead of a GROUP BY over all rows.
  CREATE TABLE latest (
    device_id TEXT PRIMARY KEY,
    time_ms INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- AFTER INSERT fires only for rows INSERT OR IGNORE really inserted, so a duplicate never
  -- counts twice in a roll-up, and both side tables change in the writer's transaction.
  CREATE TRIGGER readings_rollup AFTER INSERT ON readings BEGIN
    INSERT INTO hourly VALUES (
      NEW.device_id, NEW.time_ms - (NEW.time_ms % 3600000), 1,
      NEW.pm1_ug_m3 IS NOT NULL, coalesce(NEW.pm1_ug_m3, 0),
      NEW.pm25_ug_m3 IS NOT NULL, coalesce(NEW.pm25_ug_m3, 0),
      NEW.pm10_ug_m3 IS NOT NULL, coalesce(NEW.pm10_ug_m3, 0),
      NEW.pm25_calibrated_ug_m3 IS NOT NULL, coalesce(NEW.pm25_calibrated_ug_m3, 0),
      NEW.temperature_c IS NOT NULL, coalesce(NEW.temperature_c, 0),
      NEW.humidity_pct IS NOT NULL, coalesce(NEW.humidity_pct, 0)
    ) ON CONFLICT (device_id, hour_ms) DO UPDATE SET
      n = n + 1,
      pm1_n = pm1_n + excluded.pm1_n, pm1_sum = pm1_sum + excluded.pm1_sum,
      pm25_n = pm25_n + excluded.pm25_n, pm25_sum = pm25_sum + excluded.pm25_sum,
      pm10_n = pm10_n + excluded.pm10_n, pm10_sum = pm10_sum + excluded.pm10_sum,
      pm25_cal_n = pm25_cal_n + excluded.pm25_cal_n,
      pm25_cal_sum = pm25_cal_sum + excluded.pm25_cal_sum,
      temperature_n = temperature_n + excluded.temperature_n,
      temperature_sum = temperature_sum + excluded.temperature_sum,
      humidity_n = humidity_n + excluded.humidity_n,
      humidity_sum = humidity_sum + excluded.humidity_sum;
    INSERT INTO latest VALUES (NEW.device_id, NEW.time_ms)
      ON CONFLICT (device_id) DO UPDATE SET time_ms = excluded.time_ms
      WHERE excluded.time_ms > latest.time_ms;
  END;

  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY,
    received_ms INTEGER NOT NULL,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    client_id TEXT,
    code TEXT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX dead_letters_received ON dead_letters (received_ms);
  `,
  // v2: recalibration. After insert only the calibrated value and its model may change.
  `
  -- Raw values are never overwritten (DESIGN.md, Readings): refused by the engine itself, so
  -- no code path, present or future, can do it by mistake. It also keeps every other sum in
  -- the hourly roll-up true without an update trigger of its own.
  CREATE TRIGGER readings_raw_immutable BEFORE UPDATE OF
    device_id, time_ms, received_ms, device_time, lat, lon, pm1_ug_m3, pm25_ug_m3, pm10_ug_m3,
    temperature_c, humidity_pct, format, app, firmware, flags, kind
  ON readings BEGIN
    SELECT RAISE(ABORT, 'readings: raw values are never overwritten; only pm25_calibrated_ug_m3 and calibration_model may change');
  END;

  -- Reference stations are the truth calibration aims at: never recalibrated.
  CREATE TRIGGER readings_reference_calibration BEFORE UPDATE OF
    pm25_calibrated_ug_m3, calibration_model
  ON readings WHEN OLD.kind = 'reference' BEGIN
    SELECT RAISE(ABORT, 'readings: a reference-station reading is never recalibrated');
  END;

  -- The roll-up keeps sums, so a new value moves its hour by the difference, in the
  -- writer's transaction: right even for an hour whose other readings were pruned, where a
  -- sum recomputed from the readings left would not be.
  -- The hour expression is the insert trigger's, so both always address the same row.
  CREATE TRIGGER readings_recalibrate_rollup AFTER UPDATE OF pm25_calibrated_ug_m3 ON readings
  BEGIN
    UPDATE hourly SET
      pm25_cal_n = pm25_cal_n
        - (OLD.pm25_calibrated_ug_m3 IS NOT NULL) + (NEW.pm25_calibrated_ug_m3 IS NOT NULL),
      pm25_cal_sum = pm25_cal_sum
        - coalesce(OLD.pm25_calibrated_ug_m3, 0) + coalesce(NEW.pm25_calibrated_ug_m3, 0)
    WHERE device_id = NEW.device_id AND hour_ms = NEW.time_ms - (NEW.time_ms % 3600000);
  END;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function userVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true });
  return typeof version === 'number' ? version : 0;
}

/**
 * Brings the file up to SCHEMA_VERSION, one transaction per step so a crash mid-way leaves
 * a consistent, resumable version. Refuses a file written by newer code rather than guess.
 */
export function migrate(db: Database.Database, path: string): void {
  const from = userVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new SqliteStoreError(
      'store-schema-too-new',
      `SQLite store ${path} has schema version ${from}, newer than this code's ${SCHEMA_VERSION}; upgrade airbox, or open a copy made before the upgrade`,
    );
  }
  for (let version = from; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version];
    if (sql === undefined) break;
    db.transaction(() => {
      db.exec(sql);
      // PRAGMA takes no bound parameters; `version` is our own integer.
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/**
 * Whose dead letter it is (DeadLetter.deviceId), for its box owner's listing: added on open
 * when the file lacks it, like a measure's column. Additive, so older code still reads and
 * writes the file (its statements name their columns); older letters keep NULL, who sent
 * them not being known, and only operators read them.
 */
export function addDeadLetterDeviceColumn(db: Database.Database): void {
  const columns = db
    .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('dead_letters')")
    .all();
  db.transaction(() => {
    if (!columns.some((c) => c.name === 'device_id')) {
      db.exec('ALTER TABLE dead_letters ADD COLUMN device_id TEXT');
    }
    db.exec(`CREATE INDEX IF NOT EXISTS dead_letters_device ON dead_letters (device_id, received_ms)
      WHERE device_id IS NOT NULL`);
  })();
}
