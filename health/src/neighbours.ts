/**
 * Who a box is compared with: the outdoor boxes within a few km, found through a grid of
 * cells so 15,000 boxes do not compare every pair. Where the network is sparse the ring
 * widens until it holds enough boxes (AirGradient and PurpleAir compare within a few km
 * too); beyond the widest ring a box has no neighbour check.
 */
import { distanceM } from '@airbox/geo/distance';
import type { BoxSeries } from './series.ts';

export interface NeighbourOptions {
  /** Rings tried in turn, m; the first holding minNeighbours boxes is used. */
  ringsM: readonly number[];
  minNeighbours: number;
  /** At most this many nearest neighbours are kept. */
  maxNeighbours: number;
}

export const NEIGHBOUR_DEFAULTS: NeighbourOptions = {
  ringsM: [3_000, 8_000, 20_000],
  minNeighbours: 3,
  maxNeighbours: 12,
};

export interface Neighbours {
  /** Indexes into the boxes array, nearest first. */
  indexes: number[];
  /** The ring they were found in, m; null when no ring held enough. */
  ringM: number | null;
}

/** 0.005° cells: ~555 m north–south, ≥ 490 m east–west in Taiwan (up to ~27° N). */
const CELL_DEG = 0.005;
const CELL_M = 490;
/** A number per cell (rows of 100,000 columns: any longitude), cheaper than string keys. */
const cellKey = (row: number, col: number) => row * 100_000 + col;
const rowOf = (lat: number) => Math.floor(lat / CELL_DEG);
const colOf = (lon: number) => Math.floor((lon + 180) / CELL_DEG);

/** Each box's neighbours among the outdoor boxes (indoor ones are compared, never compared with). */
export function findNeighbours(
  boxes: readonly BoxSeries[],
  options: NeighbourOptions = NEIGHBOUR_DEFAULTS,
): Neighbours[] {
  const cells = new Map<number, number[]>();
  boxes.forEach((box, i) => {
    if (box.placement !== 'outdoor') return;
    const key = cellKey(rowOf(box.lat), colOf(box.lon));
    const list = cells.get(key);
    if (list === undefined) cells.set(key, [i]);
    else list.push(i);
  });
  return boxes.map((box, self) => ringOf(box, self, boxes, cells, options));
}

/** Visits the cells at Chebyshev distance exactly `s` from (cy, cx). */
function ringCells(cy: number, cx: number, s: number, visit: (key: number) => void): void {
  if (s === 0) return visit(cellKey(cy, cx));
  for (let d = -s; d <= s; d++) {
    visit(cellKey(cy - s, cx + d));
    visit(cellKey(cy + s, cx + d));
  }
  for (let d = -s + 1; d <= s - 1; d++) {
    visit(cellKey(cy + d, cx - s));
    visit(cellKey(cy + d, cx + s));
  }
}

/**
 * The nearest boxes (but `self`) within `widestM`, searching outwards cell ring by cell
 * ring and stopping once maxNeighbours are known to be the nearest: a box in a dense city
 * looks at a few hundred metres around it, a lonely one as far as the widest ring.
 */
function nearest(
  box: BoxSeries,
  self: number,
  boxes: readonly BoxSeries[],
  cells: Map<number, number[]>,
  options: NeighbourOptions,
): { i: number; m: number }[] {
  const widestM = Math.max(...options.ringsM);
  const found: { i: number; m: number }[] = [];
  const cy = rowOf(box.lat);
  const cx = colOf(box.lon);
  const visit = (key: number) => {
    for (const i of cells.get(key) ?? []) {
      const other = boxes[i];
      if (i === self || other === undefined) continue;
      const m = distanceM(box, other);
      if (m <= widestM) found.push({ i, m });
    }
  };
  for (let s = 0; s <= Math.ceil(widestM / CELL_M); s++) {
    ringCells(cy, cx, s, visit);
    // Every box within s cells' width has been seen by now.
    const seenM = s * CELL_M;
    let sure = 0;
    for (const f of found) if (f.m <= seenM) sure++;
    if (sure >= options.maxNeighbours) break;
  }
  return found.sort((a, b) => a.m - b.m);
}

/** The smallest ring holding enough boxes, and its nearest maxNeighbours. */
function ringOf(
  box: BoxSeries,
  self: number,
  boxes: readonly BoxSeries[],
  cells: Map<number, number[]>,
  options: NeighbourOptions,
): Neighbours {
  const around = nearest(box, self, boxes, cells, options);
  for (const ringM of options.ringsM) {
    const inRing = around.filter((a) => a.m <= ringM);
    if (inRing.length >= options.minNeighbours) {
      return { indexes: inRing.slice(0, options.maxNeighbours).map((a) => a.i), ringM };
    }
  }
  return { indexes: [], ringM: null };
}
