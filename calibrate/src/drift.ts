import type { Pair, Profile } from './types.ts';
import { predictPairs } from './validate.ts';

/**
 * Drift: the sensor changed, so the model fitted on last week's pairs no longer describes
 * it. Two signs, both measured on the new window's pairs with the previously active model:
 * - its residuals (calibrated − reference) trend in time: OLS slope of residual on time,
 *   in µg/m³ per day, beyond `maxResidualSlopeUgM3PerDay`. A step in the sensor's gain in
 *   the middle of a 7-day window by h µg/m³ gives a slope of 1.5·h/7 ≈ 0.21·h per day.
 * - its RMSE exceeds the new model's by more than `maxRmseIncreasePct` %, and by at least
 *   MIN_RMSE_CHANGE_UGM3 (a relative change of a tiny RMSE is noise, not drift).
 * Ageing Plantower sensors drift slowly (dust on the optics, fan wear) and some jump
 * (a replaced sensor, a moved box); both show as a trend or a worse old model.
 */
export interface DriftThresholds {
  maxResidualSlopeUgM3PerDay: number;
  maxRmseIncreasePct: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  maxResidualSlopeUgM3PerDay: 0.5,
  maxRmseIncreasePct: 50,
};
export const MIN_RMSE_CHANGE_UGM3 = 1;
const DAY_MS = 86_400_000;

export interface DriftEvent {
  deviceId: string;
  detectedAt: string;
  previousModel: string;
  newModel: string;
  /** Slope of the previous model's residual on time over the window, µg/m³ per day. */
  residualSlopeUgM3PerDay: number;
  previousRmseUgM3: number;
  newRmseUgM3: number;
  /** Which rule(s) fired, in words. */
  reasons: string[];
}

export interface DriftCheck {
  deviceId: string;
  pairs: readonly Pair[];
  previous: { id: string; profile: Profile };
  next: { id: string; profile: Profile };
  nowMs: number;
  thresholds?: Partial<DriftThresholds>;
}

function rmse(profile: Profile, pairs: readonly Pair[]): number | null {
  const { predictedUgM3, referenceUgM3 } = predictPairs(profile, pairs);
  if (referenceUgM3.length === 0) return null;
  const sse = predictedUgM3.reduce((s, v, i) => s + (v - (referenceUgM3[i] ?? 0)) ** 2, 0);
  return Math.sqrt(sse / referenceUgM3.length);
}

/** OLS slope of the residual on time (days); null with fewer than 3 points or one time. */
export function residualSlopeUgM3PerDay(profile: Profile, pairs: readonly Pair[]): number | null {
  const points = pairs.flatMap((p) => {
    const v = profile.predict(p);
    return v === null ? [] : [{ day: Date.parse(p.time) / DAY_MS, residual: v - p.refPm25UgM3 }];
  });
  if (points.length < 3) return null;
  const meanDay = points.reduce((s, p) => s + p.day, 0) / points.length;
  const meanResidual = points.reduce((s, p) => s + p.residual, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.day - meanDay) ** 2;
    sxy += (p.day - meanDay) * (p.residual - meanResidual);
  }
  return sxx === 0 ? null : sxy / sxx;
}

/** A drift event when either rule fires, else null (also when it cannot be judged). */
export function detectDrift(check: DriftCheck): DriftEvent | null {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...check.thresholds };
  const slope = residualSlopeUgM3PerDay(check.previous.profile, check.pairs);
  const previousRmseUgM3 = rmse(check.previous.profile, check.pairs);
  const newRmseUgM3 = rmse(check.next.profile, check.pairs);
  if (slope === null || previousRmseUgM3 === null || newRmseUgM3 === null) return null;
  const reasons: string[] = [];
  if (Math.abs(slope) > t.maxResidualSlopeUgM3PerDay) {
    reasons.push(
      `residuals of ${check.previous.id} trend by ${slope.toFixed(2)} µg/m³ per day ` +
        `(limit ±${t.maxResidualSlopeUgM3PerDay})`,
    );
  }
  const increaseUgM3 = previousRmseUgM3 - newRmseUgM3;
  const increasePct = newRmseUgM3 > 0 ? (100 * increaseUgM3) / newRmseUgM3 : Infinity;
  if (increaseUgM3 >= MIN_RMSE_CHANGE_UGM3 && increasePct > t.maxRmseIncreasePct) {
    reasons.push(
      `RMSE of ${check.previous.id} is ${previousRmseUgM3.toFixed(2)} µg/m³, ` +
        `${increasePct.toFixed(0)} % above the new model's ${newRmseUgM3.toFixed(2)} ` +
        `(limit ${t.maxRmseIncreasePct} %)`,
    );
  }
  if (reasons.length === 0) return null;
  return {
    deviceId: check.deviceId,
    detectedAt: new Date(check.nowMs).toISOString(),
    previousModel: check.previous.id,
    newModel: check.next.id,
    residualSlopeUgM3PerDay: slope,
    previousRmseUgM3,
    newRmseUgM3,
    reasons,
  };
}
