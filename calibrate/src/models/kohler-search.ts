/**
 * The κ-Köhler model's κ search (kohler.ts): a grid, then golden-section search, over the
 * pairs as typed arrays — and the grid shared by the folds of leave-one-site-out.
 */
import { CalibrationError } from '../errors.ts';
import { KAPPA_RANGE, KOHLER_RH_CAP_PCT } from './kohler-constants.ts';

const GOLDEN_TOLERANCE = 1e-8;

/**
 * The pairs as the κ search reads them: aw / (1 − aw) per pair computed once, and a buffer
 * for the dry values, so each κ tried costs three passes and no allocation.
 */
export function kohlerData(raw: readonly number[], rh: readonly number[], ref: readonly number[]) {
  const n = raw.length;
  const wetness = new Float64Array(n);
  let ySum = 0;
  let rawSum = 0;
  for (let i = 0; i < n; i++) {
    const aw = Math.min(Math.max(rh[i] ?? 0, 0), KOHLER_RH_CAP_PCT) / 100;
    wetness[i] = aw / (1 - aw);
    ySum += ref[i] ?? 0;
    rawSum += raw[i] ?? 0;
  }
  const dry = new Float64Array(n);
  return { raw, ref, wetness, dry, yMean: ySum / n, rawMean: rawSum / n };
}
export type KohlerData = ReturnType<typeof kohlerData>;

/** OLS of ref on raw / growth(κ) and its residual sum of squares. */
export function sse(id: string, kappa: number, data: KohlerData) {
  const { raw, ref, wetness, dry, yMean } = data;
  const n = dry.length;
  let dSum = 0;
  for (let i = 0; i < n; i++) {
    const d = (raw[i] ?? 0) / (1 + kappa * (wetness[i] ?? 0));
    dry[i] = d;
    dSum += d;
  }
  const dMean = dSum / n;
  let sdd = 0;
  let sdy = 0;
  for (let i = 0; i < n; i++) {
    const dd = (dry[i] ?? 0) - dMean;
    sdd += dd * dd;
    sdy += dd * ((ref[i] ?? 0) - yMean);
  }
  if (!(sdd > 0)) {
    throw new CalibrationError(
      'singular-design',
      `${id}: the dry raw PM has no spread at κ = ${kappa}; the fit is undetermined`,
    );
  }
  const slope = sdy / sdd;
  const intercept = yMean - slope * dMean;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (slope * (dry[i] ?? 0) + intercept - (ref[i] ?? 0)) ** 2;
  return { sum, slope, intercept };
}

/**
 * The residual sum of squares at κ in one pass, from sums about the raw values' and the
 * reference's means (shifted, so the cancellation of Σd² − (Σd)²/n stays small): enough
 * to rank the grid's points; the golden-section steps use sse()'s exact residuals.
 */
function gridSse(kappa: number, data: KohlerData): number {
  const { raw, ref, wetness, yMean, rawMean } = data;
  const n = raw.length;
  let sd = 0;
  let sdd = 0;
  let sdy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const d = (raw[i] ?? 0) / (1 + kappa * (wetness[i] ?? 0)) - rawMean;
    const y = (ref[i] ?? 0) - yMean;
    sd += d;
    sdd += d * d;
    sdy += d * y;
    syy += y * y;
  }
  const cdd = sdd - (sd * sd) / n;
  // syy is already centred (Σy = 0 up to rounding).
  return cdd > 0 ? syy - (sdy * sdy) / cdd : Infinity;
}

/** The κ grid: min to max by gridStep. */
function kappaGrid(): number[] {
  const { min, max, gridStep } = KAPPA_RANGE;
  const grid: number[] = [];
  for (let k = min; k <= max + 1e-12; k += gridStep) grid.push(k);
  return grid;
}

/**
 * κ by a 1-D search: a grid first, because the error need not be unimodal in κ over the whole
 * range, then golden-section search inside the best grid cell (refineKappa).
 */
export function searchKappa(id: string, data: KohlerData): number {
  let best: number = KAPPA_RANGE.min;
  let bestSse = Infinity;
  for (const k of kappaGrid()) {
    const s = gridSse(k, data);
    if (s < bestSse) [best, bestSse] = [k, s];
  }
  return refineKappa(id, data, best);
}

/** Golden-section search within a grid step of `best` (one new point per step). */
export function refineKappa(id: string, data: KohlerData, best: number): number {
  const { min, max, gridStep } = KAPPA_RANGE;
  let lo = Math.max(min, best - gridStep);
  let hi = Math.min(max, best + gridStep);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = hi - ratio * (hi - lo);
  let d = lo + ratio * (hi - lo);
  let fc = sse(id, c, data).sum;
  let fd = sse(id, d, data).sum;
  while (hi - lo > GOLDEN_TOLERANCE) {
    if (fc < fd) {
      [hi, d, fd] = [d, c, fc];
      c = hi - ratio * (hi - lo);
      fc = sse(id, c, data).sum;
    } else {
      [lo, c, fc] = [c, d, fd];
      d = lo + ratio * (hi - lo);
      fd = sse(id, d, data).sum;
    }
  }
  return (lo + hi) / 2;
}

/** Per-fold sums at one κ, shifted by the whole data's means (see gridSse). */
function foldSums(kappa: number, data: KohlerData, fold: Int32Array, sums: Float64Array): void {
  const { raw, ref, wetness, yMean, rawMean } = data;
  sums.fill(0);
  for (let i = 0; i < fold.length; i++) {
    const d = (raw[i] ?? 0) / (1 + kappa * (wetness[i] ?? 0)) - rawMean;
    const y = (ref[i] ?? 0) - yMean;
    const o = ((fold[i] ?? 0) + 1) * 6; // slot 0: pairs in no fold (always trained on)
    sums[o] = (sums[o] ?? 0) + 1;
    sums[o + 1] = (sums[o + 1] ?? 0) + d;
    sums[o + 2] = (sums[o + 2] ?? 0) + y;
    sums[o + 3] = (sums[o + 3] ?? 0) + d * d;
    sums[o + 4] = (sums[o + 4] ?? 0) + d * y;
    sums[o + 5] = (sums[o + 5] ?? 0) + y * y;
  }
}

/** Residual sum of squares of the pairs outside fold `k`, from the per-fold sums. */
function trainingSse(sums: Float64Array, k: number): number {
  const t = [0, 0, 0, 0, 0, 0];
  for (let o = 0; o < sums.length; o += 6) {
    if (o === (k + 1) * 6) continue;
    for (let j = 0; j < 6; j++) t[j] = (t[j] ?? 0) + (sums[o + j] ?? 0);
  }
  const [n = 0, sd = 0, sy = 0, sdd = 0, sdy = 0, syy = 0] = t;
  const cdd = sdd - (sd * sd) / n;
  const cdy = sdy - (sd * sy) / n;
  return cdd > 0 && n > 0 ? syy - (sy * sy) / n - (cdy * cdy) / cdd : Infinity;
}

/**
 * The best grid κ of each fold's training set (every pair not in fold k; `fold[i]` is pair
 * i's fold, −1 for none) — the same points searchKappa's grid ranks for each fold alone,
 * from one pass over all the pairs per κ instead of one per fold.
 */
export function gridBestByFold(data: KohlerData, fold: Int32Array, folds: number): number[] {
  const best = new Array<number>(folds).fill(KAPPA_RANGE.min);
  const bestSse = new Array<number>(folds).fill(Infinity);
  const sums = new Float64Array((folds + 1) * 6);
  for (const kappa of kappaGrid()) {
    foldSums(kappa, data, fold, sums);
    for (let k = 0; k < folds; k++) {
      const s = trainingSse(sums, k);
      if (s < (bestSse[k] ?? Infinity)) [best[k], bestSse[k]] = [kappa, s];
    }
  }
  return best;
}
