/**
 * `moved`: the latest reading puts the box far from where it stands on the map, or the
 * stream worker flagged a position jump (`position-jump`).
 */
import { distanceM } from '@airbox/geo/distance';
import type { BoxContext } from '../context.ts';
import { fmt, type Finding } from './finding.ts';

/** Farther than this from its registered place, m: a GPS fix wanders by tens of metres. */
export const MOVED_MIN_M = 1_000;

export function detectMoved(c: BoxContext): Finding | null {
  const latest = c.box.latest;
  if (latest === undefined || latest === null) return null;
  const last = c.grid.hours - 1;
  if (latest.flags.includes('position-jump')) {
    return { code: 'moved', sinceHour: last, detail: 'its latest reading jumped position' };
  }
  if (latest.lat === null || latest.lon === null) return null;
  const m = distanceM(c.box, { lat: latest.lat, lon: latest.lon });
  if (m < MOVED_MIN_M) return null;
  return {
    code: 'moved',
    sinceHour: last,
    detail: `its latest reading is ${fmt(m / 1000)} km from where it stands on the map`,
  };
}
