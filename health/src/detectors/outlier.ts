/**
 * Neighbour checks, hour by hour: how far a box's PM2.5 is from what its neighbours agree on,
 * in robust units (median and MAD of the neighbours, Rousseeuw & Croux 1993), with a floor
 * for the spread same-model sensors show anyway (±25 %: unit-to-unit gain and humidity
 * response). `spikes` are short peaks of that kind; `neighbour-outlier` is the latest
 * readings standing apart. Either is dropped when neighbours share the departure (a plume).
 */
import type { BoxContext } from '../context.ts';
import { MAD_TO_SD } from '../robust.ts';
import { fmt, sharedByNeighbours, type Finding } from './finding.ts';

export const NEIGHBOUR_CHECK = {
  /** Neighbours with a value in the hour before it is judged. */
  minNeighbours: 3,
  /** Spread floor: µg/m³, and share of the median. */
  floorUgM3: 2,
  floorShare: 0.25,
  /** A departure counts from this many robust sds and this many µg/m³. */
  minZ: 5,
  minExcessUgM3: 10,
} as const;

export const SPIKES = {
  lookbackHours: 24,
  /** A spike stands above the box's own hour before and after by half its excess. */
  minSpikes: 2,
} as const;

export const OUTLIER = {
  /** The latest hours with a value that must all stand apart. */
  hours: 2,
} as const;

/** The departure at hour h in µg/m³ when it is large and not shared; else 0. */
export function departure(c: BoxContext, h: number): number {
  const v = c.box.pm25[h] ?? NaN;
  const ref = c.refMedian[h] ?? NaN;
  if (!Number.isFinite(v) || !Number.isFinite(ref)) return 0;
  if ((c.refCount[h] ?? 0) < NEIGHBOUR_CHECK.minNeighbours) return 0;
  const excess = v - ref;
  const floor = Math.max(NEIGHBOUR_CHECK.floorUgM3, NEIGHBOUR_CHECK.floorShare * ref);
  const scale = MAD_TO_SD * (c.refMad[h] ?? 0) + floor;
  if (Math.abs(excess) < NEIGHBOUR_CHECK.minExcessUgM3) return 0;
  if (Math.abs(excess) / scale < NEIGHBOUR_CHECK.minZ) return 0;
  return sharedByNeighbours(c, h, excess) ? 0 : excess;
}

function isSpike(c: BoxContext, h: number): boolean {
  const excess = departure(c, h);
  if (excess <= 0) return false;
  const v = c.box.pm25[h] ?? NaN;
  const before = c.box.pm25[h - 1] ?? NaN;
  const after = c.box.pm25[h + 1] ?? NaN;
  const below = (x: number) => !Number.isFinite(x) || x <= v - 0.5 * excess;
  return below(before) && below(after);
}

export function detectSpikes(c: BoxContext): Finding | null {
  const from = Math.max(0, c.grid.hours - SPIKES.lookbackHours);
  const spikes: number[] = [];
  for (let h = from; h < c.grid.hours; h++) if (isSpike(c, h)) spikes.push(h);
  const first = spikes[0];
  if (first === undefined || spikes.length < SPIKES.minSpikes) return null;
  return {
    code: 'spikes',
    sinceHour: first,
    detail: `${spikes.length} hourly peaks in the last ${SPIKES.lookbackHours} h that no neighbour saw`,
  };
}

export function detectOutlier(c: BoxContext): Finding | null {
  const hours: number[] = [];
  for (let h = c.grid.hours - 1; h >= 0 && hours.length < OUTLIER.hours; h--) {
    if (Number.isFinite(c.box.pm25[h] ?? NaN)) hours.push(h);
  }
  const latest = hours[0];
  if (latest === undefined || c.grid.hours - latest > 3) return null;
  const excesses = hours.map((h) => departure(c, h));
  const sign = Math.sign(excesses[0] ?? 0);
  if (sign === 0 || excesses.some((e) => Math.sign(e) !== sign)) return null;
  const v = c.box.pm25[latest] ?? NaN;
  return {
    code: 'neighbour-outlier',
    sinceHour: hours.at(-1) ?? latest,
    detail: `PM2.5 ${fmt(v)} µg/m³ against a median of ${fmt(c.refMedian[latest] ?? NaN)} from ${c.refCount[latest]} neighbours within ${fmt((c.ringM ?? 0) / 1000)} km, and no two of them sharing it`,
  };
}
