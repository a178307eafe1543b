/**
 * A virtual PMS5003 and T/RH sensor: how one unit turns the truth it is exposed to into
 * the numbers it reports. Per-unit parameters (the profile) are drawn once from the seed;
 * per-reading noise is a hash of (seed, box, second), so the same moment reads the same.
 */
import type { SensorErrorConfig } from './config.ts';
import { lognormalWithMean, normal, streamId, uniform } from './rng.ts';
import type { BoxObservation, SensorProfile, TruthSample } from './types.ts';

const S = {
  gain: streamId('sensor:gain'),
  offset: streamId('sensor:offset'),
  kappa: streamId('sensor:kappa'),
  drift: streamId('sensor:drift'),
  clock: streamId('sensor:clock'),
  temperature: streamId('sensor:temperature'),
  humidity: streamId('sensor:humidity'),
  infiltration: streamId('sensor:infiltration'),
  outage: streamId('sensor:outage-rate'),
  noise: streamId('sensor:noise'),
} as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** An RTC that lost its battery restarts at 2000-01-01T00:00Z (DS1307/DS3231 reset value). */
const RTC_RESET_MS = Date.UTC(2000, 0, 1);

export interface ProfileOptions {
  indoor: boolean;
  wrongClock: boolean;
  startMs: number;
}

/** Draws one unit's fixed error parameters. */
export function makeProfile(
  seed: number,
  index: number,
  e: SensorErrorConfig,
  opts: ProfileOptions,
): SensorProfile {
  const z = (stream: number) => normal(seed, stream, index);
  return {
    gain: lognormalWithMean(e.gainMean, e.gainSdLog, z(S.gain)),
    offsetUgM3: e.offsetSdUgM3 * z(S.offset),
    kappa: Math.max(0, e.kappa + e.kappaSd * z(S.kappa)),
    driftPctPerDay: e.driftMeanPctPerDay + e.driftSdPctPerDay * z(S.drift),
    noiseSdUgM3: e.noiseSdUgM3,
    clockOffsetMs: opts.wrongClock ? wrongClockOffsetMs(seed, index, opts.startMs) : 0,
    temperatureOffsetC: e.temperatureBiasC + e.temperatureSdC * z(S.temperature),
    humidityOffsetPct: e.humiditySdPct * z(S.humidity),
    infiltration: opts.indoor
      ? Math.min(1, Math.max(0.1, e.infiltrationMean + e.infiltrationSd * z(S.infiltration)))
      : 0,
    outageRatePerDay: lognormalWithMean(e.outageRatePerDay, e.outageRateSdLog, z(S.outage)),
    fanFailureRatePerDay: e.fanFailureRatePerDay,
    stuckRatePerDay: e.stuckRatePerDay,
  };
}

/**
 * How clocks go wrong in the field: half send Taipei local time as if it were UTC (+8 h,
 * the mix-up LASS's importer documents for AirBox), a quarter are off by 1–12 whole hours
 * either way (a wrong time zone setting), a quarter never got NTP after an RTC reset and
 * run from 2000-01-01 (years behind).
 */
function wrongClockOffsetMs(seed: number, index: number, startMs: number): number {
  const u = uniform(seed, S.clock, index, 0);
  if (u < 0.5) return 8 * HOUR_MS;
  if (u < 0.75) {
    const hours = 1 + Math.floor(12 * uniform(seed, S.clock, index, 1));
    return (uniform(seed, S.clock, index, 2) < 0.5 ? -1 : 1) * hours * HOUR_MS;
  }
  return RTC_RESET_MS - startMs;
}

/**
 * κ-Köhler mass growth of hygroscopic particles: factor = 1 + κ·aw/(1 − aw), aw = RH/100
 * capped (Petters & Kreidenweis 2007, ACP 7:1961; applied to low-cost optical sensors by
 * Crilley et al. 2018, AMT 11:709, and Di Antonio et al. 2018, Sensors 18:2790).
 */
export function kohlerGrowthFactor(kappa: number, humidityPct: number, rhCapPct: number): number {
  const aw = Math.min(Math.max(humidityPct, 0), rhCapPct) / 100;
  return 1 + (kappa * aw) / (1 - aw);
}

/**
 * Plantower's atmospheric ("ATM") value from the CF=1 one: equal up to ~30 µg/m³, then
 * lower, settling at two thirds of CF=1 above ~100 µg/m³ — the relation seen in every
 * PMS5003 channel of the PurpleAir network (Wallace et al. 2021, Atmos. Environ. 256:118432).
 * Piecewise linear and continuous.
 */
export function cf1ToAtm(cf1UgM3: number): number {
  if (cf1UgM3 <= 30) return cf1UgM3;
  if (cf1UgM3 >= 100) return (cf1UgM3 * 2) / 3;
  return 30 + (cf1UgM3 - 30) * ((200 / 3 - 30) / 70);
}

/**
 * Particle counts per 0.1 L from the sensor's own size-resolved mass: Plantower derives mass
 * from counts, so counts scale with it. The shape (≈ 1300 > 0.3 µm, 400 > 0.5 µm, 100 > 1 µm
 * at 10 µg/m³) is that of ambient PMS5003 outputs; the firmware forwards mass, not counts.
 */
export function countsFromMass(pm1: number, pm25: number, pm10: number): BoxObservation['counts'] {
  const fine = pm1;
  const mid = Math.max(0, pm25 - pm1);
  const coarse = Math.max(0, pm10 - pm25);
  return {
    gt03um: Math.round(160 * fine + 60 * mid + 5 * coarse),
    gt05um: Math.round(45 * fine + 30 * mid + 4 * coarse),
    gt10um: Math.round(8 * fine + 14 * mid + 3 * coarse),
    gt25um: Math.round(0.5 * mid + 1.2 * coarse),
    gt50um: Math.round(0.35 * coarse),
    gt100um: Math.round(0.08 * coarse),
  };
}

export interface ReadingContext {
  seed: number;
  index: number;
  startMs: number;
  errors: SensorErrorConfig;
}

/** What a working unit reports for the truth it is exposed to at `timeMs`. */
export function senseTruth(
  profile: SensorProfile,
  truth: TruthSample,
  timeMs: number,
  ctx: ReadingContext,
): BoxObservation {
  const e = ctx.errors;
  const days = (timeMs - ctx.startMs) / DAY_MS;
  const sensitivity = profile.gain * Math.max(0.1, 1 + (profile.driftPctPerDay / 100) * days);
  const fineGrowth = kohlerGrowthFactor(profile.kappa, truth.humidityPct, e.rhCapPct);
  const coarseGrowth = kohlerGrowthFactor(
    profile.kappa * e.coarseKappaRatio,
    truth.humidityPct,
    e.rhCapPct,
  );
  const pm1Share = truth.pm25UgM3 > 0 ? truth.pm1UgM3 / truth.pm25UgM3 : 0.75;
  const est25 = sensitivity * fineGrowth * truth.pm25UgM3 + profile.offsetUgM3;
  const est1 = sensitivity * fineGrowth * truth.pm1UgM3 + profile.offsetUgM3 * pm1Share;
  const estCoarse =
    sensitivity * e.coarseSensitivity * coarseGrowth * Math.max(0, truth.pm10UgM3 - truth.pm25UgM3);

  const second = Math.floor(timeMs / 1000);
  const additive = profile.noiseSdUgM3 * normal(ctx.seed, S.noise, ctx.index, second, 0);
  const multiplicative = 1 + e.noiseRelative * normal(ctx.seed, S.noise, ctx.index, second, 1);
  // One noise draw for all three channels: the sensor derives them from the same counts.
  const pm25Cf1 = Math.max(0, est25 * multiplicative + additive);
  const pm1Cf1 = Math.min(pm25Cf1, Math.max(0, est1 * multiplicative + additive * pm1Share));
  const pm10Cf1 = pm25Cf1 + estCoarse * multiplicative;

  return {
    pm1Cf1,
    pm25Cf1,
    pm10Cf1,
    pm1Atm: cf1ToAtm(pm1Cf1),
    pm25Atm: cf1ToAtm(pm25Cf1),
    pm10Atm: cf1ToAtm(pm10Cf1),
    counts: countsFromMass(pm1Cf1, pm25Cf1, pm10Cf1),
    ...readClimate(profile, truth, ctx, second),
    fault: null,
  };
}

/**
 * The T/RH sensor sits in the same warm enclosure: it reads warm, and the air it samples is
 * drier by the same warming (RH falls ~6 % of itself per °C at 25 °C, from the Magnus
 * slope 17.625·243.04/(T + 243.04)²).
 */
export function readClimate(
  profile: SensorProfile,
  truth: TruthSample,
  ctx: ReadingContext,
  second: number,
): { temperatureC: number; humidityPct: number } {
  const t = truth.temperatureC;
  const magnusSlope = (17.625 * 243.04) / ((t + 243.04) * (t + 243.04));
  const rh =
    truth.humidityPct * Math.exp(-magnusSlope * profile.temperatureOffsetC) +
    profile.humidityOffsetPct +
    0.5 * normal(ctx.seed, S.noise, ctx.index, second, 3);
  return {
    temperatureC:
      t + profile.temperatureOffsetC + 0.1 * normal(ctx.seed, S.noise, ctx.index, second, 2),
    humidityPct: Math.min(100, Math.max(0, rh)),
  };
}
