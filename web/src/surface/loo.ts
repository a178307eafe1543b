import { idwFrom } from './idw.ts';
import { estimate, factor, krigingSystem } from './kriging-system.ts';
import type { PreparedPoints } from './points.ts';
import { sampleIndices } from './random.ts';
import { nearest, neighbourBuffer, type SpatialIndex } from './spatial-index.ts';
import type { SurfaceMethod, VariogramModel } from './types.ts';

export interface LooResult {
  /** µg/m³, over the points counted. */
  rmse: number;
  mae: number;
  /** Mean of (estimate − observed): > 0 means the surface reads high. */
  bias: number;
  /** Points predicted (held out one at a time). */
  n: number;
  /** Sampled points not counted: no other box within maskDistanceM, so unpainted. */
  skippedMasked: number;
}

export interface LooSettings {
  method: SurfaceMethod;
  power: number;
  neighbours: number;
  searchRadiusM: number;
  maskDistanceM: number;
  /** Kriging only; null = constant field (every estimate is the constant). */
  variogram: VariogramModel | null;
  floor: number;
  sampleMax: number;
  seed: number;
}

/**
 * Leave-one-out cross-validation: each sampled point is predicted from the others, with
 * the same neighbours, parameters and variogram as the surface (the variogram is not
 * refitted per point, as is usual: Cressie 1993, §2.6.4). A point whose nearest other box
 * is beyond maskDistanceM is not counted — the surface would not be painted there — and
 * only that distance rule is applied, not the σ rule, so IDW and kriging are scored on
 * the same points.
 */
export function leaveOneOutPrepared(
  pts: PreparedPoints,
  ix: SpatialIndex,
  s: LooSettings,
): LooResult {
  const nb = neighbourBuffer(s.neighbours);
  const sys = s.variogram === null ? null : krigingSystem(s.neighbours, s.variogram);
  const mask2 = s.maskDistanceM * s.maskDistanceM;
  let sumSq = 0, sumAbs = 0, sum = 0, n = 0, skippedMasked = 0; // prettier-ignore
  for (const i of sampleIndices(pts.count, s.sampleMax, s.seed)) {
    const x = pts.xM[i] ?? 0;
    const y = pts.yM[i] ?? 0;
    const radiusM = s.method === 'idw' ? s.searchRadiusM : Infinity;
    nearest(ix, x, y, radiusM, nb, i);
    if (nb.count === 0 || (nb.d2[0] ?? Infinity) > mask2) {
      skippedMasked++;
      continue;
    }
    let est: number;
    if (s.method === 'idw') est = idwFrom(nb, pts.value, s.power);
    else if (sys === null) est = pts.value[nb.index[0] ?? 0] ?? 0;
    else if (factor(sys, pts, nb.index, nb.count)) {
      estimate(sys, x, y);
      est = Math.max(s.floor, sys.value);
    } else est = idwFrom(nb, pts.value, 2);
    const err = est - (pts.value[i] ?? 0);
    sumSq += err * err;
    sumAbs += Math.abs(err);
    sum += err;
    n++;
  }
  return n === 0
    ? { rmse: NaN, mae: NaN, bias: NaN, n, skippedMasked }
    : { rmse: Math.sqrt(sumSq / n), mae: sumAbs / n, bias: sum / n, n, skippedMasked };
}
