import type { PreparedPoints } from './points.ts';
import type { VariogramModel } from './types.ts';
import { signalCovarianceFn } from './variogram.ts';

/**
 * Ordinary kriging for one neighbour set, factored once and then evaluated at many
 * places. With C the k×k covariance matrix of the neighbours' readings (nugget on the
 * diagonal) and c their covariances to the target, the OK system Cλ + μ1 = c, 1ᵀλ = 1
 * (Cressie 1993, eq. 3.2.12) solves as
 *   λ = C⁻¹c − μ C⁻¹1,  μ = (1ᵀC⁻¹c − 1) / 1ᵀC⁻¹1,
 * and with C = LLᵀ (Cholesky; positive definite for the spherical and exponential models
 * at distinct points) and w = L⁻¹c:
 *   estimate = w·(L⁻¹z) − μ · 1ᵀC⁻¹z,
 *   σ² = psill − λᵀc − μ = psill − (w·w − μ · w·(L⁻¹1)) − μ.
 * The target is the PM2.5 field without the nugget (box-to-box noise and micro-scale
 * variation): c has no nugget even at h = 0, so the surface has no spikes at the boxes,
 * and σ² is the error variance of the mapped field — the ordinary kriging variance minus
 * the nugget ("filtered kriging", Cressie 1993, §3.2.1). A target costs k covariances, one
 * forward substitution (k²/2) and three dot products; L, L⁻¹1, L⁻¹z are per set.
 */
export interface KrigingSystem {
  model: VariogramModel;
  /** The model's signal covariance, one monomorphic closure (it runs k times a cell). */
  signalCov: (hM: number) => number;
  k: number;
  xM: Float64Array;
  yM: Float64Array;
  lower: Float64Array;
  l1: Float64Array;
  lz: Float64Array;
  oneCinvOne: number;
  oneCinvZ: number;
  /** Scratch for the target covariances, overwritten by w = L⁻¹c. */
  w: Float64Array;
  /** Outputs of the last estimate(). */
  value: number;
  variance: number;
}

export function krigingSystem(maxK: number, model: VariogramModel): KrigingSystem {
  return {
    model,
    signalCov: signalCovarianceFn(model),
    k: 0,
    xM: new Float64Array(maxK),
    yM: new Float64Array(maxK),
    lower: new Float64Array(maxK * maxK),
    l1: new Float64Array(maxK),
    lz: new Float64Array(maxK),
    oneCinvOne: 0,
    oneCinvZ: 0,
    w: new Float64Array(maxK),
    value: NaN,
    variance: NaN,
  };
}

/** In-place Cholesky of the lower triangle of a k×k row-major matrix; false if not positive definite. */
function cholesky(a: Float64Array, k: number, tiny: number): boolean {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j] ?? 0;
    for (let p = 0; p < j; p++) d -= (a[j * k + p] ?? 0) ** 2;
    if (!(d > tiny)) return false;
    const ljj = Math.sqrt(d);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j] ?? 0;
      for (let p = 0; p < j; p++) s -= (a[i * k + p] ?? 0) * (a[j * k + p] ?? 0);
      a[i * k + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L·out = b in place (out may be b). */
function forward(lower: Float64Array, k: number, b: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let s = b[i] ?? 0;
    const row = i * k;
    for (let p = 0; p < i; p++) s -= (lower[row + p] ?? 0) * (b[p] ?? 0);
    b[i] = s / (lower[row + i] ?? 1);
  }
}

const dot = (a: Float64Array, b: Float64Array, k: number) => {
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
};

/** Factors the system for points ids[0…count); false when the matrix is singular. */
export function factor(
  sys: KrigingSystem,
  pts: PreparedPoints,
  ids: Int32Array,
  count: number,
): boolean {
  const k = count;
  const sill = sys.model.nugget + sys.model.psill;
  sys.k = k;
  for (let a = 0; a < k; a++) {
    const i = ids[a] ?? 0;
    sys.xM[a] = pts.xM[i] ?? 0;
    sys.yM[a] = pts.yM[i] ?? 0;
    sys.l1[a] = 1;
    sys.lz[a] = pts.value[i] ?? 0;
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      const dx = (sys.xM[a] ?? 0) - (sys.xM[b] ?? 0);
      const dy = (sys.yM[a] ?? 0) - (sys.yM[b] ?? 0);
      const h = Math.sqrt(dx * dx + dy * dy);
      sys.lower[a * k + b] = a === b ? sill : sys.signalCov(h);
    }
  }
  if (!cholesky(sys.lower, k, 1e-10 * sill)) return false;
  forward(sys.lower, k, sys.l1);
  forward(sys.lower, k, sys.lz);
  sys.oneCinvOne = dot(sys.l1, sys.l1, k);
  sys.oneCinvZ = dot(sys.l1, sys.lz, k);
  return true;
}

/** Kriges the value and variance at (x, y) into sys.value and sys.variance. */
export function estimate(sys: KrigingSystem, x: number, y: number): void {
  const k = sys.k;
  const w = sys.w;
  for (let a = 0; a < k; a++) {
    const dx = (sys.xM[a] ?? 0) - x;
    const dy = (sys.yM[a] ?? 0) - y;
    w[a] = sys.signalCov(Math.sqrt(dx * dx + dy * dy));
  }
  forward(sys.lower, k, w);
  const wl1 = dot(w, sys.l1, k);
  const mu = (wl1 - 1) / sys.oneCinvOne;
  sys.value = dot(w, sys.lz, k) - mu * sys.oneCinvZ;
  sys.variance = sys.model.psill - (dot(w, w, k) - mu * wl1) - mu;
}
