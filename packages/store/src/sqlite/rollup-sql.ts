import {
  EXCLUDING_PROBLEMS,
  exclusionFlags,
  MEASURES,
  rollupMeans,
  type RollupMean,
} from '@airbox/contracts';
import { FLAG_SEPARATOR } from './labels.ts';

/**
 * The SQL of the hourly roll-up, built from the MEASURES table: which value of a reading
 * an hour counts and sums, in one expression shared by the insert trigger and the repair of
 * older files (rollup-repair.ts), so both always count the same values.
 */

/** The hourly stem of the calibrated PM2.5 (`pm25_cal_n`, `pm25_cal_sum`), schema v1. */
const CALIBRATED_STEM = 'pm25_cal';
const CALIBRATED_COLUMN = 'pm25_calibrated_ug_m3';

/** The hourly column stem of a roll-up mean: the measure id, as in schema v1. */
export function hourlyStem(mean: RollupMean): string {
  return mean.measure?.id ?? CALIBRATED_STEM;
}

/** The `readings` column a roll-up mean sums. */
export function readingColumn(mean: RollupMean): string {
  return mean.measure?.sqliteColumn ?? CALIBRATED_COLUMN;
}

/** The hour a reading of `row` (`NEW`, a table alias) counts in: the trigger's expression. */
export function hourOf(row: string): string {
  return `${row}.time_ms - (${row}.time_ms % 3600000)`;
}

/**
 * True (1) when the hour counts the value of `mean` of `row`: it is there, and no flag
 * leaves it out (flags.ts, exclusionFlags — `pm25-out-of-range` …). The calibrated value
 * has no flags of its own: calibration gives an unusable PM2.5 none (calibration.ts).
 * Codes are written into the SQL text: measure ids are checked identifiers
 * (measure-schema.ts) and problems are constants, so none needs quoting.
 */
export function countedExpr(row: string, mean: RollupMean): string {
  const present = `${row}.${readingColumn(mean)} IS NOT NULL`;
  if (mean.measure === null) return present;
  const flags = `'${FLAG_SEPARATOR}' || ${row}.flags || '${FLAG_SEPARATOR}'`;
  const absent = exclusionFlags(mean.measure).map(
    (code) => `instr(${flags}, '${FLAG_SEPARATOR}${code}${FLAG_SEPARATOR}') = 0`,
  );
  return `(${[present, ...absent].join(' AND ')})`;
}

/** What the hour adds to its sum of `mean` for `row`: the value it counts, else 0. */
export function summedExpr(row: string, mean: RollupMean): string {
  return `CASE WHEN ${countedExpr(row, mean)} THEN ${row}.${readingColumn(mean)} ELSE 0 END`;
}

/**
 * True for a reading with no flag of any problem that leaves a value out: nearly all of
 * them. A cheap look (no string is built); a reading it misses (`clock-invalid` …) takes
 * the exact one.
 */
function noExclusion(row: string): string {
  return EXCLUDING_PROBLEMS.map((p) => `instr(${row}.flags, '-${p}') = 0`).join(' AND ');
}

type Values = (row: string, mean: RollupMean) => string;
const present: Values = (row, mean) => `${row}.${readingColumn(mean)} IS NOT NULL`;
const valueOr0: Values = (row, mean) => `coalesce(${row}.${readingColumn(mean)}, 0)`;

/**
 * A roll-up trigger of schema v1 for every roll-up mean of the table, for the readings
 * `when` holds; the columns are named, so the hourly table may hold more (a measure since
 * removed keeps its columns).
 */
function rollupTrigger(name: string, when: string, counted: Values, summed: Values): string {
  const means = rollupMeans(MEASURES);
  const columns = means.flatMap((m) => [`${hourlyStem(m)}_n`, `${hourlyStem(m)}_sum`]);
  const values = means.flatMap((m) => [counted('NEW', m), summed('NEW', m)]);
  const sums = columns.map((c) => `${c} = ${c} + excluded.${c}`);
  return `CREATE TRIGGER ${name} AFTER INSERT ON readings WHEN ${when} BEGIN
    INSERT INTO hourly (device_id, hour_ms, n, ${columns.join(', ')}) VALUES (
      NEW.device_id, ${hourOf('NEW')}, 1, ${values.join(', ')}
    ) ON CONFLICT (device_id, hour_ms) DO UPDATE SET n = n + 1, ${sums.join(', ')};
    INSERT INTO latest VALUES (NEW.device_id, NEW.time_ms)
      ON CONFLICT (device_id) DO UPDATE SET time_ms = excluded.time_ms
      WHERE excluded.time_ms > latest.time_ms;
  END`;
}

/**
 * The roll-up as two triggers, each firing for one side of noExclusion: the plain sums of
 * schema v1 for the readings with nothing to leave out, the exact look at each measure's
 * flags (countedExpr) for the others. One trigger with the exact look made every insert
 * about half again as slow (200,000 rows: ~620 -> ~950 ms); two keep the plain path as it
 * was. AFTER INSERT fires only for rows INSERT OR IGNORE really inserted (schema.ts).
 */
export function rollupTriggers(): { name: string; sql: string }[] {
  const plain = noExclusion('NEW');
  return [
    { name: 'readings_rollup', sql: rollupTrigger('readings_rollup', plain, present, valueOr0) },
    {
      name: 'readings_rollup_flagged',
      sql: rollupTrigger('readings_rollup_flagged', `NOT (${plain})`, countedExpr, summedExpr),
    },
  ];
}
