/**
 * `stuck`: the same PM2.5 hour after hour. A working PMS5003's hourly mean of many readings
 * virtually never repeats exactly while the air around it changes; a frozen sensor or a
 * firmware that resends its last frame repeats it to the last digit.
 */
import { lastReported, type BoxContext } from '../context.ts';
import { fmt, type Finding } from './finding.ts';
import { ZERO_MAX_UGM3 } from './zero.ts';

export const STUCK = {
  /** Hours with readings, all equal, before a box is called stuck. */
  minHours: 4,
  /** Without neighbours to show the air changed, the run must be this long. */
  aloneMinHours: 8,
  equalUgM3: 1e-6,
  /** The neighbours' median must have moved at least this much (µg/m³, or this share of it). */
  minRefRangeUgM3: 2,
  minRefRangeShare: 0.1,
  /**
   * An hourly mean of this many readings or more, at or above denseMinUgM3, repeats exactly
   * only if the sensor is frozen: whole-µg/m³ readings with noise do not average to the same
   * number hour after hour. One reading an hour (a replay, a slow box) can, in still air:
   * then the neighbours must show that the air changed.
   */
  denseReadingsPerHour: 3,
  denseMinUgM3: 3,
} as const;

export function detectStuck(c: BoxContext): Finding | null {
  const { pm25, count } = c.box;
  const last = lastReported(count);
  const value = pm25[last] ?? NaN;
  // 0 (or no PM at all) is the zero detector's business.
  if (last < 0 || !Number.isFinite(value) || value <= ZERO_MAX_UGM3) return null;
  let first = last;
  let hours = 0;
  let refMin = Infinity;
  let refMax = -Infinity;
  let dense = value >= STUCK.denseMinUgM3;
  for (let h = last; h >= 0; h--) {
    if ((count[h] ?? 0) === 0) continue; // an outage inside the run does not end it
    if (!(Math.abs((pm25[h] ?? NaN) - value) <= STUCK.equalUgM3)) break;
    first = h;
    hours++;
    if ((count[h] ?? 0) < STUCK.denseReadingsPerHour) dense = false;
    const ref = c.refMedian[h] ?? NaN;
    if (Number.isFinite(ref)) {
      refMin = Math.min(refMin, ref);
      refMax = Math.max(refMax, ref);
    }
  }
  if (hours < STUCK.minHours) return null;
  const refKnown = refMax >= refMin;
  const needed = Math.max(STUCK.minRefRangeUgM3, STUCK.minRefRangeShare * refMax);
  const airChanged = refKnown && refMax - refMin >= needed;
  if (!dense && !airChanged && hours < STUCK.aloneMinHours) return null;
  const around = refKnown
    ? `, while the neighbours' median went ${fmt(refMin)}…${fmt(refMax)}`
    : '';
  return {
    code: 'stuck',
    sinceHour: first,
    detail: `PM2.5 was ${fmt(value)} µg/m³ in each of the last ${hours} hours${around}`,
  };
}
