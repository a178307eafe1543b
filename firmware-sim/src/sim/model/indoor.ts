/**
 * What an indoor box is exposed to. Outdoor particles come in through the envelope,
 * reduced by the infiltration factor and delayed by the room's air exchange (a first-order
 * low-pass with time constant 1/ACH; Chen & Zhao 2011, Atmos. Environ. 45:275); coarse
 * particles get in less well. Cooking adds short fine-particle peaks at meal times that
 * decay with the air exchange (Abt et al. 2000, EHP 108:35). Rooms are air-conditioned or
 * at least sheltered: T and RH swing much less than outdoors.
 */
import { localHour, TAIPEI_OFFSET_MS } from './background.ts';
import type { SensorErrorConfig } from './config.ts';
import { hash, normal, streamId, uniform } from './rng.ts';
import type { TruthSample } from './types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Coarse particles penetrate and stay less well than fine ones (Chen & Zhao 2011). */
const COARSE_INFILTRATION_RATIO = 0.55;
/**
 * The low-pass as a discrete convolution: lags 0, 0.7τ, 1.4τ, 2.1τ with weights exp(−lag/τ)
 * (the tail beyond holds e^−2.8 ≈ 6 % of the weight): four looks at the outdoor field.
 */
const LAG_STEPS = 4;
const LAG_STEP_TAU = 0.7;
/** Breakfast, lunch, dinner in local hours. */
const MEAL_HOURS = [7.5, 12, 18.5] as const;
/** A cooking peak decays with the room: e-folding time, minutes. */
const COOKING_DECAY_MIN = 40;
/** The room's set point: the 26 °C the Taiwanese government recommends for air conditioning. */
const INDOOR_SET_POINT_C = 26;
const STREAM = streamId('indoor:cooking');

export interface IndoorBox {
  index: number;
  infiltration: number;
}

/** The outdoor truth at the box, at any moment (the box's own coordinates are bound in). */
export type OutdoorAt = (timeMs: number) => TruthSample;

export function indoorTruth(
  seed: number,
  box: IndoorBox,
  e: SensorErrorConfig,
  outdoorAt: OutdoorAt,
  timeMs: number,
): TruthSample {
  const tauMs = e.indoorTimeConstantH * HOUR_MS;
  const stepMs = tauMs * LAG_STEP_TAU;
  let weightSum = 0;
  let pm1 = 0;
  let pm25 = 0;
  let pm10 = 0;
  let now: TruthSample | null = null;
  for (let k = 0; k < LAG_STEPS; k++) {
    const w = Math.exp(-k * LAG_STEP_TAU);
    const out = outdoorAt(timeMs - k * stepMs);
    if (k === 0) now = out;
    pm1 += w * out.pm1UgM3;
    pm25 += w * out.pm25UgM3;
    pm10 += w * out.pm10UgM3;
    weightSum += w;
  }
  const f = box.infiltration;
  const coarse = Math.max(0, pm10 - pm25) / weightSum;
  const cooking = cookingPm25(seed, box.index, e.cookingChance, timeMs);
  const outside = now ?? outdoorAt(timeMs);
  return {
    pm1UgM3: (f * pm1) / weightSum + 0.9 * cooking,
    pm25UgM3: (f * pm25) / weightSum + cooking,
    pm10UgM3: (f * pm25) / weightSum + cooking + f * COARSE_INFILTRATION_RATIO * coarse,
    temperatureC: 0.35 * outside.temperatureC + 0.65 * INDOOR_SET_POINT_C,
    // Air conditioning dries the air: indoor RH ~45–70 % where outdoors is 60–95 %.
    humidityPct: Math.min(80, Math.max(35, 57 + 0.4 * (outside.humidityPct - 75))),
  };
}

/** PM2.5 from cooking at this moment, µg/m³: 0 on most meals, a decaying peak on some. */
function cookingPm25(seed: number, index: number, chance: number, timeMs: number): number {
  if (chance <= 0) return 0;
  const localDay = Math.floor((timeMs + TAIPEI_OFFSET_MS) / DAY_MS);
  const hour = localHour(timeMs);
  // One hash decides all three meals of the day: 10 bits each.
  const meals = hash(seed, STREAM, index, localDay);
  let total = 0;
  for (let m = 0; m < MEAL_HOURS.length; m++) {
    if (((meals >>> (10 * m)) & 1023) / 1024 >= chance) continue;
    // The meal starts within ±30 min of the usual hour; the peak is lognormal, median 25.
    const startH = (MEAL_HOURS[m] ?? 12) + (uniform(seed, STREAM, index, localDay, 10 + m) - 0.5);
    const sinceMin = (hour - startH) * 60;
    if (sinceMin < 0 || sinceMin > 8 * COOKING_DECAY_MIN) continue;
    const peak = 25 * Math.exp(0.6 * normal(seed, STREAM, index, localDay, 20 + m));
    total += peak * Math.exp(-sinceMin / COOKING_DECAY_MIN);
  }
  return total;
}
