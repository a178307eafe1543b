/**
 * `zero`: the box still reports (its T/RH, its heartbeat) but its PM reads 0 or nothing
 * while the neighbours' does not: the fan that draws air through the PMS5003 has died (no
 * airflow, no particles counted, or no frames at all), or the sensor is unplugged.
 */
import { lastReported, type BoxContext } from '../context.ts';
import { fmt, type Finding } from './finding.ts';

/** A PM2.5 hourly mean at or below this reads as zero, µg/m³. */
export const ZERO_MAX_UGM3 = 0.5;

export const ZERO = {
  minHours: 2,
  /** A zero is a fault only where the neighbours' median is at least this, µg/m³. */
  minRefUgM3: 3,
} as const;

/** Whether hour h with readings is a dead one: no PM, or 0 while the neighbours read some. */
function deadHour(c: BoxContext, h: number): 'missing' | 'zero' | null {
  const v = c.box.pm25[h] ?? NaN;
  if (!Number.isFinite(v)) return 'missing';
  const ref = c.refMedian[h] ?? NaN;
  return v <= ZERO_MAX_UGM3 && ref >= ZERO.minRefUgM3 ? 'zero' : null;
}

export function detectZero(c: BoxContext): Finding | null {
  const { count } = c.box;
  const last = lastReported(count);
  if (last < 0) return null;
  let first = last;
  let hours = 0;
  let missing = 0;
  for (let h = last; h >= 0; h--) {
    if ((count[h] ?? 0) === 0) continue;
    const dead = deadHour(c, h);
    if (dead === null) break;
    if (dead === 'missing') missing++;
    first = h;
    hours++;
  }
  if (hours < ZERO.minHours) return null;
  const what =
    missing === hours
      ? 'no PM values'
      : `PM2.5 at 0 µg/m³ (neighbours' median ${fmt(c.refMedian[last] ?? NaN)})`;
  return {
    code: 'zero',
    sinceHour: first,
    detail: `${what} in the last ${hours} hours while the box kept reporting`,
  };
}
