import { MEASURES, rollupMeans } from '@airbox/contracts';
import type Database from 'better-sqlite3';
import { SqliteStoreError } from './errors.ts';
import { resumFlaggedHours } from './rollup-repair.ts';
import { hourlyStem, rollupTriggers } from './rollup-sql.ts';

/**
 * The measure columns of a file follow the MEASURES table, so adding a measure needs no
 * hand-written migration. The frozen migrations (schema.ts) created the first five measures;
 * a measure added since gets its `readings` column and its `hourly` count and sum on open.
 * The two triggers that name every measure (the roll-up, rollup-sql.ts, and the raw-value
 * guard) are rebuilt from the table in the same transaction whenever their text in the
 * file is not the one this code writes — a new column, or a new rule such as leaving
 * out-of-range values out of the means — and a rebuilt roll-up sums again the hours its
 * old text got wrong (rollup-repair.ts). A file that differs in nothing is left untouched.
 */

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

/** The triggers that name every measure, each with the text this code gives it. */
function measureTriggers(): { name: string; sql: string }[] {
  return [...rollupTriggers(), { name: 'readings_raw_immutable', sql: rawImmutableTrigger() }];
}

/** The measure triggers whose text in the file is not this code's (or that it lacks). */
function staleTriggers(db: Database.Database, triggers: { name: string; sql: string }[]) {
  const sqlOf = db.prepare<[string], { sql: string }>(
    "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
  );
  return triggers.filter(({ name, sql }) => sqlOf.get(name)?.sql !== sql).map((t) => t.name);
}

/** Adds what the file lacks for the measures of MEASURES; run after the migrations. */
export function addMeasureColumns(db: Database.Database): void {
  checkIdentifiers();
  const alters = missingColumns(db);
  const triggers = measureTriggers();
  const stale = staleTriggers(db, triggers);
  if (alters.length === 0 && stale.length === 0) return;
  db.transaction(() => {
    // Dropped first: the old roll-up trigger inserts one value per hourly column.
    for (const { name } of triggers) db.exec(`DROP TRIGGER IF EXISTS ${name}`);
    for (const alter of alters) db.exec(alter);
    for (const { sql } of triggers) db.exec(sql);
    if (stale.some((name) => name.startsWith('readings_rollup'))) resumFlaggedHours(db);
  })();
}
