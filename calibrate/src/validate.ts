import { CalibrationError } from './errors.ts';
import { FALLBACK_METHOD } from './models/index.ts';
import type { Pair, Profile } from './types.ts';
import type { LosoResult } from './loso.ts';

export {
  groupBySite,
  leaveOneSiteOut,
  MAX_FOLDS,
  siteGroups,
  type Fold,
  type LosoOptions,
  type LosoResult,
} from './loso.ts';

/**
 * Agreement of calibrated values with the reference. Slope, intercept and R² follow the EPA
 * convention: calibrated sensor (y) regressed on the reference (x) by ordinary least squares,
 * R² being that regression's coefficient of determination (the squared Pearson r).
 */
export interface Metrics {
  n: number;
  r2: number;
  rmseUgM3: number;
  maeUgM3: number;
  /** RMSE / mean reference × 100; null when the mean reference is not positive. */
  nrmsePct: number | null;
  slope: number;
  interceptUgM3: number;
  meanRefUgM3: number;
  /** Mean of (calibrated − reference). */
  meanBiasUgM3: number;
}

// US EPA 2021, "Performance Testing Protocols, Metrics, and Target Values for Fine Particulate
// Matter Air Sensors" (Duvall et al., EPA/600/R-20/280), base-testing targets for 24-hour
// averages: slope 1.0 ± 0.35, −5 ≤ intercept ≤ 5 µg/m³, R² ≥ 0.70, RMSE ≤ 7 µg/m³ or
// NRMSE ≤ 30 %.
export const EPA_PM25_TARGETS = {
  source: 'US EPA 2021, EPA/600/R-20/280 (Duvall et al.), PM2.5 sensor base-testing targets',
  slope: { min: 0.65, max: 1.35 },
  interceptUgM3: { min: -5, max: 5 },
  r2Min: 0.7,
  rmseMaxUgM3: 7,
  nrmseMaxPct: 30,
} as const;

export interface TargetCheck {
  met: boolean;
  /** One line per missed target, e.g. `R² 0.61 < 0.70`. */
  failed: string[];
}

function assertMetricInput(
  predictedUgM3: readonly number[],
  referenceUgM3: readonly number[],
): void {
  const n = referenceUgM3.length;
  if (predictedUgM3.length !== n) {
    throw new RangeError(`metrics: ${predictedUgM3.length} predictions for ${n} references`);
  }
  if (n < 3) {
    throw new CalibrationError(
      'too-few-points',
      `metrics: ${n} pairs; a slope and R² need at least 3`,
    );
  }
  const inputs = [
    ['calibrated', predictedUgM3],
    ['reference', referenceUgM3],
  ] as const;
  for (const [name, values] of inputs) {
    const i = values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new CalibrationError(
        'non-finite-input',
        `metrics: ${name} value ${i + 1} is ${String(values[i])}; drop that pair`,
      );
    }
  }
}

export function computeMetrics(
  predictedUgM3: readonly number[],
  referenceUgM3: readonly number[],
): Metrics {
  assertMetricInput(predictedUgM3, referenceUgM3);
  const n = referenceUgM3.length;
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const xMean = mean(referenceUgM3);
  const yMean = mean(predictedUgM3);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let sse = 0;
  let sae = 0;
  for (let i = 0; i < n; i++) {
    const dx = (referenceUgM3[i] ?? 0) - xMean;
    const dy = (predictedUgM3[i] ?? 0) - yMean;
    const e = (predictedUgM3[i] ?? 0) - (referenceUgM3[i] ?? 0);
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
    sse += e * e;
    sae += Math.abs(e);
  }
  if (sxx === 0) {
    throw new CalibrationError(
      'zero-variance',
      `metrics: the reference is ${xMean} µg/m³ in all ${n} pairs; slope and R² are undefined`,
    );
  }
  const slope = sxy / sxx;
  const rmseUgM3 = Math.sqrt(sse / n);
  return {
    n,
    // Constant predictions explain nothing: R² = 0 rather than 0/0.
    r2: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy),
    rmseUgM3,
    maeUgM3: sae / n,
    nrmsePct: xMean > 0 ? (100 * rmseUgM3) / xMean : null,
    slope,
    interceptUgM3: yMean - slope * xMean,
    meanRefUgM3: xMean,
    meanBiasUgM3: yMean - xMean,
  };
}

export function checkTargets(m: Metrics, t = EPA_PM25_TARGETS): TargetCheck {
  const f = (v: number) => v.toFixed(2);
  const failed: string[] = [];
  if (m.slope < t.slope.min || m.slope > t.slope.max) {
    failed.push(`slope ${f(m.slope)} outside ${t.slope.min}–${t.slope.max}`);
  }
  if (m.interceptUgM3 < t.interceptUgM3.min || m.interceptUgM3 > t.interceptUgM3.max) {
    failed.push(
      `intercept ${f(m.interceptUgM3)} µg/m³ outside ${t.interceptUgM3.min}…${t.interceptUgM3.max}`,
    );
  }
  if (m.r2 < t.r2Min) failed.push(`R² ${f(m.r2)} < ${t.r2Min.toFixed(2)}`);
  const rmseOk = m.rmseUgM3 <= t.rmseMaxUgM3;
  const nrmseOk = m.nrmsePct !== null && m.nrmsePct <= t.nrmseMaxPct;
  if (!rmseOk && !nrmseOk) {
    const nrmse = m.nrmsePct === null ? 'undefined' : `${f(m.nrmsePct)} %`;
    failed.push(
      `RMSE ${f(m.rmseUgM3)} µg/m³ > ${t.rmseMaxUgM3} and NRMSE ${nrmse} > ${t.nrmseMaxPct} %`,
    );
  }
  return { met: failed.length === 0, failed };
}

/** Predictions of a profile on pairs; pairs it cannot calibrate (missing RH…) are counted. */
export function predictPairs(profile: Profile, pairs: readonly Pair[]) {
  const predictedUgM3: number[] = [];
  const referenceUgM3: number[] = [];
  let uncalibrated = 0;
  for (const p of pairs) {
    const v = profile.predict(p);
    if (v === null) {
      uncalibrated++;
      continue;
    }
    predictedUgM3.push(v);
    referenceUgM3.push(p.refPm25UgM3);
  }
  return { predictedUgM3, referenceUgM3, uncalibrated };
}

export function evaluateProfile(profile: Profile, pairs: readonly Pair[]) {
  const { predictedUgM3, referenceUgM3, uncalibrated } = predictPairs(profile, pairs);
  return { metrics: computeMetrics(predictedUgM3, referenceUgM3), uncalibrated };
}

export interface Pick {
  id: string;
  reason: string;
  fallback: boolean;
}

/**
 * The pick rule: among the methods whose pooled leave-one-site-out metrics meet every EPA
 * target, the lowest pooled LOSO RMSE (ties: the earlier, simpler method). If none meets the
 * targets, or LOSO could not run, the EPA nationwide correction — it needs no local fit, so
 * it cannot have been over-fitted to these sites. The test file never enters the pick.
 */
export function pickMethod(
  candidates: readonly { id: string; loso: LosoResult | null }[],
  fallbackId: string = FALLBACK_METHOD.id,
  /** What the scores are, in the reason; select.ts passes its time holdout's name. */
  scoredBy = 'pooled leave-one-site-out',
): Pick {
  let best: { id: string; rmse: number } | null = null;
  for (const c of candidates) {
    if (c.loso === null || !checkTargets(c.loso.pooled).met) continue;
    const rmse = c.loso.pooled.rmseUgM3;
    if (best === null || rmse < best.rmse) best = { id: c.id, rmse };
  }
  if (best === null) {
    return {
      id: fallbackId,
      fallback: true,
      reason:
        `no method met the EPA PM2.5 targets in ${scoredBy} scores; ` +
        `falling back to ${fallbackId}, which needs no local fit`,
    };
  }
  const n = candidates.filter((c) => c.loso !== null && checkTargets(c.loso.pooled).met).length;
  return {
    id: best.id,
    fallback: false,
    reason:
      `lowest ${scoredBy} RMSE (${best.rmse.toFixed(3)} µg/m³) among the ` +
      `${n} methods that meet every EPA PM2.5 target`,
  };
}
