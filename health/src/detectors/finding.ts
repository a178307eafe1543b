import type { HealthProblemCode } from '@airbox/contracts';
import type { BoxContext } from '../context.ts';

/** A problem as a detector finds it: since an hour index of the grid. */
export interface Finding {
  code: HealthProblemCode;
  sinceHour: number;
  detail: string;
}

export type Detector = (c: BoxContext) => Finding | null;

/** A number for a detail text: one decimal, no trailing zero. */
export const fmt = (v: number): string => String(Math.round(v * 10) / 10);

/**
 * Whether a departure from the neighbours' median at hour h is shared: at least `min`
 * neighbours depart the same way by at least half as much. A plume several boxes see is an
 * event in the air, not a fault of one box.
 */
export function sharedByNeighbours(c: BoxContext, h: number, excess: number, min = 2): boolean {
  const ref = c.refMedian[h] ?? NaN;
  let agreeing = 0;
  for (const other of c.neighbours) {
    const v = other.pm25[h] ?? NaN;
    if (Number.isFinite(v) && Math.sign(excess) * (v - ref) >= 0.5 * Math.abs(excess)) agreeing++;
  }
  return agreeing >= min;
}
