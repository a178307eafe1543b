import type { PreparedPoints } from './points.ts';
import { sampleIndices } from './random.ts';
import type { VariogramModel, VariogramModelName } from './types.ts';

/** One lag bin of the empirical (Matheron) semivariogram. */
export interface LagBin {
  /** Mean pair distance in the bin. */
  lagM: number;
  /** ½ · mean squared difference, (µg/m³)². */
  gamma: number;
  pairs: number;
}

/** Journel & Huijbregts (1978): trust a lag bin with at least ~30 pairs. */
const MIN_PAIRS = 30;

/**
 * Matheron's estimator γ̂(h) = Σ (z_i − z_j)² / (2 N(h)) over pairs closer than maxLagM, in
 * `bins` equal-width bins, from at most `sampleMax` points (a deterministic sample: all
 * pairs of 15,000 points would be 10⁸).
 */
export function empiricalVariogram(
  pts: PreparedPoints,
  maxLagM: number,
  bins: number,
  sampleMax: number,
  seed: number,
): LagBin[] {
  const ids = sampleIndices(pts.count, sampleMax, seed);
  const sumSq = new Float64Array(bins);
  const sumD = new Float64Array(bins);
  const count = new Float64Array(bins);
  const max2 = maxLagM * maxLagM;
  for (let a = 0; a < ids.length; a++) {
    const i = ids[a] ?? 0;
    const xi = pts.xM[i] ?? 0;
    const yi = pts.yM[i] ?? 0;
    const zi = pts.value[i] ?? 0;
    for (let b = a + 1; b < ids.length; b++) {
      const j = ids[b] ?? 0;
      const dx = (pts.xM[j] ?? 0) - xi;
      const dy = (pts.yM[j] ?? 0) - yi;
      const d2 = dx * dx + dy * dy;
      if (d2 >= max2) continue;
      const d = Math.sqrt(d2);
      const k = Math.min(bins - 1, Math.floor((d / maxLagM) * bins));
      const dz = zi - (pts.value[j] ?? 0);
      sumSq[k] = (sumSq[k] ?? 0) + dz * dz;
      sumD[k] = (sumD[k] ?? 0) + d;
      count[k] = (count[k] ?? 0) + 1;
    }
  }
  const all: LagBin[] = [];
  for (let k = 0; k < bins; k++) {
    const n = count[k] ?? 0;
    if (n > 0) all.push({ lagM: (sumD[k] ?? 0) / n, gamma: (sumSq[k] ?? 0) / (2 * n), pairs: n });
  }
  const trusted = all.filter((b) => b.pairs >= MIN_PAIRS);
  return trusted.length >= 3 ? trusted : all;
}

/**
 * Model shapes rising from 0 to 1 (Cressie 1993, §2.3.1). The exponential is written with
 * 3h/a so that `rangeM` is its practical range (95 % of the sill) and compares with the
 * spherical's range.
 */
export function shape(model: VariogramModelName, hM: number, rangeM: number): number {
  const t = hM / rangeM;
  if (model === 'exponential') return 1 - Math.exp(-3 * t);
  return t >= 1 ? 1 : 1.5 * t - 0.5 * t * t * t;
}

/**
 * Covariance of the field without the nugget, C(h) = psill · (1 − shape(h)) with C(0) =
 * psill: between two distinct places, or a box and a target. (Between a box and itself it
 * is nugget + psill.) Returned as one closure per model so that the hot loops stay
 * monomorphic.
 */
export function signalCovarianceFn(m: VariogramModel): (hM: number) => number {
  const { psill, rangeM } = m;
  if (m.model === 'exponential') {
    const rate = 3 / rangeM;
    return (hM) => psill * Math.exp(-rate * hM);
  }
  return (hM) => {
    if (hM >= rangeM) return 0;
    const t = hM / rangeM;
    return psill * (1 - 1.5 * t + 0.5 * t * t * t);
  };
}
