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

/** ~0.1° cells: ~11 km north–south, ~10 km east–west in Taiwan. */
const CELL_DEG = 0.1;
const cellKey = (lat: number, lon: number) =>
  `${Math.floor(lat / CELL_DEG)},${Math.floor(lon / CELL_DEG)}`;

/** Each box's neighbours among the outdoor boxes (indoor ones are compared, never compared with). */
export function findNeighbours(
  boxes: readonly BoxSeries[],
  options: NeighbourOptions = NEIGHBOUR_DEFAULTS,
): Neighbours[] {
  const cells = new Map<string, number[]>();
  boxes.forEach((box, i) => {
    if (box.placement !== 'outdoor') return;
    const key = cellKey(box.lat, box.lon);
    const list = cells.get(key);
    if (list === undefined) cells.set(key, [i]);
    else list.push(i);
  });
  const widestM = Math.max(...options.ringsM);
  return boxes.map((box, self) => ringOf(box, self, boxes, cells, widestM, options));
}

function ringOf(
  box: BoxSeries,
  self: number,
  boxes: readonly BoxSeries[],
  cells: Map<string, number[]>,
  widestM: number,
  options: NeighbourOptions,
): Neighbours {
  const around: { i: number; m: number }[] = [];
  // A cell is ≥ 10 km wide in Taiwan's latitudes: this many cells each way cover the widest ring.
  const span = Math.ceil(widestM / 10_000) + 1;
  const cy = Math.floor(box.lat / CELL_DEG);
  const cx = Math.floor(box.lon / CELL_DEG);
  for (let dy = -span; dy <= span; dy++) {
    for (let dx = -span; dx <= span; dx++) {
      for (const i of cells.get(`${cy + dy},${cx + dx}`) ?? []) {
        if (i === self) continue;
        const other = boxes[i];
        if (other === undefined) continue;
        const m = distanceM(box, other);
        if (m <= widestM) around.push({ i, m });
      }
    }
  }
  around.sort((a, b) => a.m - b.m);
  for (const ringM of options.ringsM) {
    const inRing = around.filter((a) => a.m <= ringM);
    if (inRing.length >= options.minNeighbours) {
      return { indexes: inRing.slice(0, options.maxNeighbours).map((a) => a.i), ringM };
    }
  }
  return { indexes: [], ringM: null };
}
