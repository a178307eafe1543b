/**
 * `drift`: over days the box's ratio to its reference moves steadily one way. The reference
 * is the nearest reference station where one is within STATION_NEAR_M (the truth
 * calibration aims at), else the neighbours' median. The ratio is taken per day (sums of
 * the hours both have, so one smoky hour weighs as much as it should), its log fitted by a
 * Theil–Sen line (robust to a few odd days), and the change across the window judged.
 */
import type { BoxContext } from '../context.ts';
import { HOUR_MS } from '../series.ts';
import { theilSenSlope } from '../robust.ts';
import { fmt, type Finding } from './finding.ts';

export const DRIFT = {
  /** Days with a ratio the fit needs. */
  minDays: 6,
  /** Hours a day both the box and its reference must have. */
  minHoursPerDay: 12,
  /** The reference's daily mean must reach this, µg/m³ (ratios of near-zero air are noise). */
  minRefUgM3: 3,
  /** The fitted change across the window that counts as drift (±, as a share). */
  minChange: 0.18,
} as const;

/** The reference series the box is held against, and what it is called in the detail. */
function referenceOf(c: BoxContext): { values: Float64Array; name: string } {
  if (c.station !== null) return { values: c.station.pm25, name: `station ${c.station.deviceId}` };
  return { values: c.refMedian, name: `the median of ${c.neighbours.length} neighbours` };
}

/** Log of the box/reference ratio per whole day of the grid, counted from its end. */
function dailyLogRatios(c: BoxContext, ref: Float64Array): { days: number[]; logs: number[] } {
  const days: number[] = [];
  const logs: number[] = [];
  const totalDays = Math.floor(c.grid.hours / 24);
  for (let d = 0; d < totalDays; d++) {
    const from = c.grid.hours - (totalDays - d) * 24;
    let box = 0;
    let reference = 0;
    let n = 0;
    for (let h = from; h < from + 24; h++) {
      const b = c.box.pm25[h] ?? NaN;
      const r = ref[h] ?? NaN;
      if (!Number.isFinite(b) || !Number.isFinite(r)) continue;
      box += b;
      reference += r;
      n++;
    }
    if (n < DRIFT.minHoursPerDay || reference / n < DRIFT.minRefUgM3 || box <= 0) continue;
    days.push(d);
    logs.push(Math.log(box / reference));
  }
  return { days, logs };
}

export function detectDrift(c: BoxContext): Finding | null {
  const ref = referenceOf(c);
  const { days, logs } = dailyLogRatios(c, ref.values);
  const firstDay = days[0];
  const lastDay = days.at(-1);
  if (days.length < DRIFT.minDays || firstDay === undefined || lastDay === undefined) return null;
  const slopePerDay = theilSenSlope(days, logs);
  const change = Math.exp(slopePerDay * (lastDay - firstDay)) - 1;
  if (!(Math.abs(change) >= DRIFT.minChange)) return null;
  const totalDays = Math.floor(c.grid.hours / 24);
  const sinceHour = c.grid.hours - (totalDays - firstDay) * 24;
  return {
    code: 'drift',
    sinceHour: Math.max(0, sinceHour),
    detail: `reads ${fmt(100 * change)} % ${change > 0 ? 'higher' : 'lower'} against ${ref.name} than ${lastDay - firstDay} days ago (${fmt(100 * slopePerDay)} %/day in log ratio)`,
  };
}

/** The window the slow detectors need, hours (14 days). */
export const SLOW_WINDOW_HOURS = 14 * 24;
export const SLOW_WINDOW_MS = SLOW_WINDOW_HOURS * HOUR_MS;
