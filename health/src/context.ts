/**
 * What a detector sees of one box: its own series, its neighbours' and, hour by hour, what
 * they agree on (median and MAD of their PM2.5), plus the nearest reference station where
 * one is close.
 */
import { distanceM } from '@airbox/geo/distance';
import { madOf, medianOf } from './robust.ts';
import type { Neighbours } from './neighbours.ts';
import type { BoxSeries, HourGrid, StationSeries } from './series.ts';

/** A reference station this close stands in for the neighbours in the drift check. */
export const STATION_NEAR_M = 3_000;

export interface BoxContext {
  grid: HourGrid;
  box: BoxSeries;
  neighbours: BoxSeries[];
  ringM: number | null;
  /** Per hour: the neighbours' median PM2.5, its MAD, and how many had a value. */
  refMedian: Float64Array;
  refMad: Float64Array;
  refCount: Uint8Array;
  station: StationSeries | null;
}

export function nearStation(
  box: BoxSeries,
  stations: readonly StationSeries[],
): StationSeries | null {
  let best: StationSeries | null = null;
  let bestM = STATION_NEAR_M;
  for (const s of stations) {
    const m = distanceM(box, s);
    if (m <= bestM) {
      best = s;
      bestM = m;
    }
  }
  return best;
}

export function boxContext(
  grid: HourGrid,
  boxes: readonly BoxSeries[],
  index: number,
  neighbours: Neighbours,
  stations: readonly StationSeries[],
  scratch: Float64Array,
): BoxContext {
  const box = boxes[index];
  if (box === undefined) throw new RangeError(`no box at ${index}`);
  const around = neighbours.indexes.flatMap((i) => boxes[i] ?? []);
  const refMedian = new Float64Array(grid.hours).fill(NaN);
  const refMad = new Float64Array(grid.hours).fill(NaN);
  const refCount = new Uint8Array(grid.hours);
  for (let h = 0; h < grid.hours; h++) {
    let n = 0;
    for (const other of around) {
      const v = other.pm25[h] ?? NaN;
      if (Number.isFinite(v)) scratch[n++] = v;
    }
    refCount[h] = n;
    if (n === 0) continue;
    const median = medianOf(scratch, n);
    refMedian[h] = median;
    refMad[h] = madOf(scratch, n, median);
  }
  return {
    grid,
    box,
    neighbours: around,
    ringM: neighbours.ringM,
    refMedian,
    refMad,
    refCount,
    station: nearStation(box, stations),
  };
}

/** The last hour index (≤ before) where `values` is finite, or −1. */
export function lastFinite(values: Float64Array, before = values.length): number {
  for (let h = Math.min(before, values.length) - 1; h >= 0; h--) {
    if (Number.isFinite(values[h] ?? NaN)) return h;
  }
  return -1;
}

/** The last hour index with readings, or −1. */
export function lastReported(count: Float64Array): number {
  for (let h = count.length - 1; h >= 0; h--) if ((count[h] ?? 0) > 0) return h;
  return -1;
}
