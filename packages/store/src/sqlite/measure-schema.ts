import { MEASURES, rollupMeans, type RollupMean } from '@airbox/contracts';
import type Database from 'better-sqlite3';
import { SqliteStoreError } from './errors.ts';

/**
 * The measure columns of a file follow the MEASURES table, so adding a measure needs no
 * hand-written migration. The frozen migrations (schema.ts) created the first five measures;
 * a measure added since gets its `readings` column and its `hourly` count and sum on open,
 * and the two triggers that name every measure (the roll-up and the raw-value guard) are
 * rebuilt from the table in the same transaction. A file that lacks nothing is left as it
 * is, untouched.
 */

/** The hourly stem of the calibrated PM2.5 (`pm25_cal_n`, `pm25_cal_sum`), schema v1. */
const CALIBRATED_STEM = 'pm25_cal';
const CALIBRATED_COLUMN = 'pm25_calibrated_ug_m3';

/** The hourly column stem of a roll-up mean: the measure id, as in schema v1. */
export function hourlyStem(mean: RollupMean): string {
  return mean.measure?.id ?? CALIBRATED_STEM;
}

/** The `readings` column a roll-up mean sums. */
function readingColumn(mean: RollupMean): string {
  return mean.measure?.sqliteColumn ?? CALIBRATED_COLUMN;
}

// Ids and columns are written into SQL text: refuse one that would need quoting.
const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

function checkIdentifiers(): void {
  for (const m of MEASURES) {
    for (const name of [m.id, m.sqliteColumn]) {
      if (!IDENTIFIER.test(name)) {
        throw new SqliteStoreError(
          'store-open-failed',
          `measure ${JSON.stringify(m.id)}: ${JSON.stringify(name)} cannot be a SQLite column name; use lower-case letters, digits and _ (MEASURES, measures.ts)`,
        );
      }
    }
  }
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const columns = db
    .prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)')
    .all(table);
  return new Set(columns.map((c) => c.name));
}

/** `ALTER TABLE … ADD COLUMN` statements for what the file lacks, empty when nothing. */
function missingColumns(db: Database.Database): string[] {
  const readings = columnsOf(db, 'readings');
  const hourly = columnsOf(db, 'hourly');
  const out = MEASURES.filter((m) => !readings.has(m.sqliteColumn)).map(
    (m) => `ALTER TABLE readings ADD COLUMN ${m.sqliteColumn} REAL`,
  );
  for (const mean of rollupMeans(MEASURES)) {
    const stem = hourlyStem(mean);
    // Zero, not NULL: the existing hours had no reading with the new measure.
    if (!hourly.has(`${stem}_n`)) {
      out.push(`ALTER TABLE hourly ADD COLUMN ${stem}_n INTEGER NOT NULL DEFAULT 0`);
    }
    if (!hourly.has(`${stem}_sum`)) {
      out.push(`ALTER TABLE hourly ADD COLUMN ${stem}_sum REAL NOT NULL DEFAULT 0`);
    }
  }
  return out;
}

/**
 * The roll-up trigger of schema v1 for every roll-up mean of the table; the columns are
 * named, so the hourly table may hold more (a measure since removed keeps its columns).
 */
function rollupTrigger(): string {
  const means = rollupMeans(MEASURES);
  const columns = means.flatMap((m) => [`${hourlyStem(m)}_n`, `${hourlyStem(m)}_sum`]);
  const values = means.flatMap((m) => [
    `NEW.${readingColumn(m)} IS NOT NULL`,
    `coalesce(NEW.${readingColumn(m)}, 0)`,
  ]);
  const sums = columns.map((c) => `${c} = ${c} + excluded.${c}`);
  return `CREATE TRIGGER readings_rollup AFTER INSERT ON readings BEGIN
    INSERT INTO hourly (device_id, hour_ms, n, ${columns.join(', ')}) VALUES (
      NEW.device_id, NEW.time_ms - (NEW.time_ms % 3600000), 1, ${values.join(', ')}
    ) ON CONFLICT (device_id, hour_ms) DO UPDATE SET n = n + 1, ${sums.join(', ')};
    INSERT INTO latest VALUES (NEW.device_id, NEW.time_ms)
      ON CONFLICT (device_id) DO UPDATE SET time_ms = excluded.time_ms
      WHERE excluded.time_ms > latest.time_ms;
  END`;
}

/** The raw-value guard of schema v2 over every column but the calibration's two. */
function rawImmutableTrigger(): string {
  const raw = [
    'device_id, time_ms, received_ms, device_time, lat, lon',
    ...MEASURES.map((m) => m.sqliteColumn),
    'format, app, firmware, flags, kind',
  ];
  return `CREATE TRIGGER readings_raw_immutable BEFORE UPDATE OF ${raw.join(', ')}
  ON readings BEGIN
    SELECT RAISE(ABORT, 'readings: raw values are never overwritten; only pm25_calibrated_ug_m3 and calibration_model may change');
  END`;
}

/** Adds what the file lacks for the measures of MEASURES; run after the migrations. */
export function addMeasureColumns(db: Database.Database): void {
  checkIdentifiers();
  const alters = missingColumns(db);
  if (alters.length === 0) return;
  db.transaction(() => {
    // Dropped first: the old roll-up trigger inserts one value per hourly column.
    db.exec(
      'DROP TRIGGER IF EXISTS readings_rollup; DROP TRIGGER IF EXISTS readings_raw_immutable;',
    );
    for (const alter of alters) db.exec(alter);
    db.exec(`${rollupTrigger()}; ${rawImmutableTrigger()};`);
  })();
}
