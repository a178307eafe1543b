import type { GridGeometry } from './grid.ts';
import type { PreparedPoints } from './points.ts';
import {
  nearest,
  neighbourBuffer,
  within,
  type SpatialIndex,
  type Neighbours,
} from './spatial-index.ts';
import { cellX, cellY, walkTiles, type Tile } from './tiles.ts';

export interface IdwSettings {
  power: number;
  neighbours: number;
  searchRadiusM: number;
  maskDistanceM: number;
}

/** Inverse-distance weighted mean of the first nb.count neighbours (Shepard 1968). */
export function idwFrom(nb: Neighbours, value: Float64Array, power: number): number {
  let wSum = 0;
  let vSum = 0;
  for (let j = 0; j < nb.count; j++) {
    const d2 = nb.d2[j] ?? 0;
    const v = value[nb.index[j] ?? 0] ?? 0;
    if (d2 === 0) return v;
    // power 2 needs no pow(): w = 1/d².
    const w = power === 2 ? 1 / d2 : Math.pow(d2, -power / 2);
    wSum += w;
    vSum += w * v;
  }
  return vSum / wSum;
}

/**
 * Split a tile whose candidate list is longer than this many times k (dense cities). Cells
 * stop scanning early (below), so a longer list costs little; fewer tiles save queries.
 */
const MAX_CANDIDATES_PER_K = 6;

/** A tile's candidates, ascending by distance from the tile centre. */
interface Candidates {
  nb: Neighbours;
  count: number;
  xM: Float64Array;
  yM: Float64Array;
  value: Float64Array;
  centreDistM: Float64Array;
}

/** One cell's k nearest so far, ascending: squared distances and values. */
interface TopK {
  d2: Float64Array;
  value: Float64Array;
  count: number;
}

/**
 * Collects the cell's k nearest candidates within the search radius into `top` (none
 * when none can be within the mask distance). The
 * candidates come nearest-to-the-tile-centre first, so no candidate after j can be closer
 * to the cell than centreDist[j] − fromCentreM: the scan stops there. Hot: locals only.
 */
function nearestOfCell(
  c: Candidates,
  x: number,
  y: number,
  fromCentreM: number,
  search2: number,
  mask2: number,
  top: TopK,
): void {
  const { xM, yM, value, centreDistM } = c;
  const { d2: bestD2, value: bestV } = top;
  const k = bestD2.length;
  let count = 0;
  for (let j = 0; j < c.count; j++) {
    const lowerM = (centreDistM[j] ?? 0) - fromCentreM;
    if (lowerM > 0) {
      const lower2 = lowerM * lowerM;
      if (lower2 > search2 || (count === k && lower2 >= (bestD2[k - 1] ?? 0))) break;
      // Nothing within the mask distance so far, and nothing left can be: a masked cell.
      if (lower2 > mask2 && (count === 0 || (bestD2[0] ?? 0) > mask2)) {
        count = 0;
        break;
      }
    }
    const dx = (xM[j] ?? 0) - x;
    const dy = (yM[j] ?? 0) - y;
    const d2 = dx * dx + dy * dy;
    if (d2 > search2 || (count === k && d2 >= (bestD2[k - 1] ?? 0))) continue;
    let at = count < k ? count++ : k - 1;
    while (at > 0 && (bestD2[at - 1] ?? 0) > d2) {
      bestD2[at] = bestD2[at - 1] ?? 0;
      bestV[at] = bestV[at - 1] ?? 0;
      at--;
    }
    bestD2[at] = d2;
    bestV[at] = value[j] ?? 0;
  }
  top.count = count;
}

/** Shepard's weighted mean of the cell's k nearest. */
function weighted(top: TopK, power: number): number {
  let wSum = 0;
  let vSum = 0;
  for (let j = 0; j < top.count; j++) {
    const d2 = top.d2[j] ?? 0;
    const v = top.value[j] ?? 0;
    if (d2 === 0) return v;
    const w = power === 2 ? 1 / d2 : Math.pow(d2, -power / 2);
    wSum += w;
    vSum += w * v;
  }
  return vSum / wSum;
}

function paintTile(
  pts: PreparedPoints,
  g: GridGeometry,
  s: IdwSettings,
  t: Tile,
  cand: Candidates,
  top: TopK,
  out: Float32Array,
): number {
  for (let j = 0; j < cand.count; j++) {
    const i = cand.nb.index[j] ?? 0;
    cand.xM[j] = pts.xM[i] ?? 0;
    cand.yM[j] = pts.yM[i] ?? 0;
    cand.value[j] = pts.value[i] ?? 0;
    cand.centreDistM[j] = Math.sqrt(cand.nb.d2[j] ?? 0);
  }
  const search2 = s.searchRadiusM * s.searchRadiusM;
  const mask2 = s.maskDistanceM * s.maskDistanceM;
  const nearestToCentreM = cand.centreDistM[0] ?? 0;
  let painted = 0;
  for (let r = t.row0; r < t.row0 + t.rows; r++) {
    const y = cellY(g, r);
    const dy = y - t.cyM;
    for (let c = t.col0; c < t.col0 + t.cols; c++) {
      const x = cellX(g, c);
      const dx = x - t.cxM;
      const fromCentreM = Math.sqrt(dx * dx + dy * dy);
      // No candidate can be within the mask distance: leave the cell NaN unscanned.
      if (nearestToCentreM - fromCentreM > s.maskDistanceM) continue;
      nearestOfCell(cand, x, y, fromCentreM, search2, mask2, top);
      if (top.count === 0 || (top.d2[0] ?? Infinity) > mask2) continue;
      out[r * g.width + c] = weighted(top, s.power);
      painted++;
    }
  }
  return painted;
}

/** Fills cand with `ids` ascending by distance from the tile centre (insertion sort: short lists). */
function sortByCentre(
  pts: PreparedPoints,
  t: Tile,
  ids: readonly number[],
  cand: Candidates,
): void {
  const nb = cand.nb;
  nb.count = 0;
  for (const i of ids) {
    const dx = (pts.xM[i] ?? 0) - t.cxM;
    const dy = (pts.yM[i] ?? 0) - t.cyM;
    const d2 = dx * dx + dy * dy;
    let j = nb.count++;
    while (j > 0 && (nb.d2[j - 1] ?? 0) > d2) {
      nb.d2[j] = nb.d2[j - 1] ?? 0;
      nb.index[j] = nb.index[j - 1] ?? 0;
      j--;
    }
    nb.d2[j] = d2;
    nb.index[j] = i;
  }
  cand.count = nb.count;
}

/**
 * IDW over the grid with the exact k nearest points of every cell, found from a short
 * candidate list per tile: for a cell within h of the tile centre, its k nearest lie within
 * d_k(centre) + 2h of the centre (triangle inequality), so scanning the points within that
 * radius is exact, and tiles are split until that list is short. The list comes sorted by
 * distance from the centre, so a cell's scan stops as soon as no later candidate can beat
 * its k-th. Cells whose nearest point is beyond maskDistanceM (or searchRadiusM) are NaN.
 */
export function idwGrid(
  pts: PreparedPoints,
  ix: SpatialIndex,
  g: GridGeometry,
  s: IdwSettings,
): { values: Float32Array; painted: number; tiles: number } {
  const values = new Float32Array(g.width * g.height).fill(NaN);
  const maxCandidates = Math.max(MAX_CANDIDATES_PER_K * s.neighbours, s.neighbours + 1);
  const cand: Candidates = {
    nb: neighbourBuffer(pts.count),
    count: 0,
    xM: new Float64Array(pts.count),
    yM: new Float64Array(pts.count),
    value: new Float64Array(pts.count),
    centreDistM: new Float64Array(pts.count),
  };
  const top: TopK = {
    d2: new Float64Array(s.neighbours),
    value: new Float64Array(s.neighbours),
    count: 0,
  };
  const knn = neighbourBuffer(s.neighbours);
  const ids: number[] = [];
  const maskM = Math.min(s.maskDistanceM, s.searchRadiusM);
  let painted = 0;
  const tiles = walkTiles(g, (t) => {
    const h = t.halfDiagM;
    nearest(ix, t.cxM, t.cyM, s.searchRadiusM + h, knn);
    const found = knn.count;
    // Every cell's nearest point is farther than d1 − h: the whole tile is masked.
    if (found === 0 || Math.sqrt(knn.d2[0] ?? 0) - h > maskM) return true;
    const dk = found >= s.neighbours ? Math.sqrt(knn.d2[s.neighbours - 1] ?? 0) : Infinity;
    // Padded so that rounding in √d² never drops the k-th point on the boundary.
    const radiusM = Math.min(dk + 2 * h, s.searchRadiusM + h) * (1 + 1e-9);
    ids.length = 0;
    const single = t.cols === 1 && t.rows === 1;
    within(ix, t.cxM, t.cyM, radiusM, ids, single ? Infinity : maxCandidates);
    if (ids.length > maxCandidates && !single) return false;
    sortByCentre(pts, t, ids, cand);
    painted += paintTile(pts, g, s, t, cand, top, values);
    return true;
  });
  return { values, painted, tiles };
}
