import { exclusionFlags, MEASURES, rollupMeans } from '@airbox/contracts';
import type Database from 'better-sqlite3';
import { FLAG_SEPARATOR } from './labels.ts';
import { countedExpr, hourlyStem, hourOf, summedExpr } from './rollup-sql.ts';

const HOUR_MS = 3_600_000;

/** True for a reading `r` that carries any flag leaving a value out of the roll-up. */
function anyExclusion(): string {
  const codes = MEASURES.flatMap((m) => exclusionFlags(m));
  const flags = `'${FLAG_SEPARATOR}' || r.flags || '${FLAG_SEPARATOR}'`;
  const found = codes.map((c) => `instr(${flags}, '${FLAG_SEPARATOR}${c}${FLAG_SEPARATOR}') > 0`);
  return found.length === 0 ? '0' : found.join(' OR ');
}

/** The repair as one statement: the hours to sum again, their sums, and the update. */
function repairSql(): string {
  const means = rollupMeans(MEASURES);
  const sums = means.flatMap((m) => {
    const stem = hourlyStem(m);
    return [
      `sum(${countedExpr('r', m)}) AS ${stem}_n`,
      `total(${summedExpr('r', m)}) AS ${stem}_sum`,
    ];
  });
  const sets = means.flatMap((m) => {
    const stem = hourlyStem(m);
    return [`${stem}_n = s.${stem}_n`, `${stem}_sum = s.${stem}_sum`];
  });
  // The range lets the primary key find an hour's readings; the hour expression (the
  // trigger's) keeps exactly the ones the trigger counted there.
  return `WITH flagged AS (
      SELECT DISTINCT r.device_id, ${hourOf('r')} AS hour_ms FROM readings r WHERE ${anyExclusion()}
    ), s AS (
      SELECT f.device_id, f.hour_ms, count(*) AS n, ${sums.join(', ')}
      FROM flagged f JOIN readings r ON r.device_id = f.device_id
        AND r.time_ms > f.hour_ms - ${HOUR_MS} AND r.time_ms < f.hour_ms + ${HOUR_MS}
        AND ${hourOf('r')} = f.hour_ms
      GROUP BY f.device_id, f.hour_ms
    )
    UPDATE hourly SET ${sets.join(', ')} FROM s
    WHERE hourly.device_id = s.device_id AND hourly.hour_ms = s.hour_ms AND hourly.n = s.n`;
}

/**
 * Sums again, from the readings, every hour that holds a value the roll-up leaves out
 * (flags.ts, EXCLUDING_PROBLEMS) but which older code added in: a 1e308 or a −50 µg/m³.
 * Only hours that still hold every reading they counted (n = the readings left): an hour
 * that lost readings to retention keeps its sums, as the pruned values are not known.
 * One scan of the readings; run when the roll-up trigger is rebuilt (measure-schema.ts),
 * in its transaction. Returns the hours summed again.
 */
export function resumFlaggedHours(db: Database.Database): number {
  return db.prepare(repairSql()).run().changes;
}
