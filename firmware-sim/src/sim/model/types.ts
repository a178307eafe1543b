/**
 * The shapes the fleet runtime draws from. Every value is a pure function of
 * (seed, box, time): no state changes between calls.
 */
import type { ReferenceStation } from '@airbox/geo';
import type { SimConfig } from './config.ts';

/** What is really in the air (dry mass, µg/m³) and the real T/RH, at one place and moment. */
export interface TruthSample {
  pm1UgM3: number;
  pm25UgM3: number;
  pm10UgM3: number;
  temperatureC: number;
  humidityPct: number;
}

/** One unit's fixed error parameters, drawn once from the config's distributions. */
export interface SensorProfile {
  /** CF=1 PM gain against the dry truth at RH → 0 (ratio). */
  gain: number;
  /** Fixed zero offset, µg/m³. */
  offsetUgM3: number;
  /** Hygroscopicity of what this unit senses (κ-Köhler). */
  kappa: number;
  /** Sensitivity drift, % per day since the simulation start. */
  driftPctPerDay: number;
  /** Additive noise sd of one reading, µg/m³. */
  noiseSdUgM3: number;
  /** What the box's clock adds to the true time, ms (0 for a correct clock). */
  clockOffsetMs: number;
  /** The T sensor's fixed offset, °C (includes the enclosure's warmth). */
  temperatureOffsetC: number;
  /** The RH sensor's fixed offset, % RH. */
  humidityOffsetPct: number;
  /** Indoor boxes: indoor/outdoor infiltration factor of PM2.5 (0 outdoors). */
  infiltration: number;
  /** This box's Wi-Fi outage rate, per day (the fleet mean times a lognormal spread). */
  outageRatePerDay: number;
  /** Fan failures per day for this box (the PMS stops sending frames). */
  fanFailureRatePerDay: number;
  /** Stuck-value episodes per day for this box. */
  stuckRatePerDay: number;
}

export interface BoxSpec {
  index: number;
  deviceId: string;
  lat: number;
  lon: number;
  indoor: boolean;
  /** The reference station this box stands beside (its `siteId`), or null. */
  nearStationId: string | null;
  profile: SensorProfile;
}

export type BoxFault = 'fan-failure' | 'stuck';

/** One instantaneous sample of the box's sensors. */
export interface BoxObservation {
  /** Plantower CF=1 ("standard particle") mass, µg/m³ (not rounded: the frame encoder rounds). */
  pm1Cf1: number;
  pm25Cf1: number;
  pm10Cf1: number;
  /** Plantower atmospheric mass, µg/m³ — what AirBox sends as s_d0. */
  pm1Atm: number;
  pm25Atm: number;
  pm10Atm: number;
  /** Particles larger than each size per 0.1 L. */
  counts: {
    gt03um: number;
    gt05um: number;
    gt10um: number;
    gt25um: number;
    gt50um: number;
    gt100um: number;
  };
  /** What the box's T/RH sensor reads. */
  temperatureC: number;
  humidityPct: number;
  /** fan-failure: the PMS sends no frames (PM values are 0); stuck: PM values repeat. */
  fault: null | BoxFault;
}

/** A stretch of time [startMs, endMs) during which an outage or a fault lasts. */
export interface TimeWindow {
  startMs: number;
  endMs: number;
}

export type WindowKind = 'outage' | BoxFault;

export interface ReferenceHour {
  pm25UgM3: number | null;
  pm10UgM3: number | null;
}

export interface SimWorld {
  readonly config: SimConfig;
  readonly boxes: readonly BoxSpec[];
  readonly stations: readonly ReferenceStation[];
  /** The outdoor truth at any point. */
  truth(lat: number, lon: number, timeMs: number): TruthSample;
  /** The truth the box's sensors are exposed to (indoor boxes see an indoor version). */
  truthAtBox(box: BoxSpec, timeMs: number): TruthSample;
  /** One sample of the box's sensors; deterministic in (seed, box.index, timeMs). */
  observe(box: BoxSpec, timeMs: number): BoxObservation;
  /** False during the box's Wi-Fi outages. */
  online(box: BoxSpec, timeMs: number): boolean;
  /** The outage or fault windows of a box that overlap [fromMs, toMs), in time order. */
  windows(box: BoxSpec, kind: WindowKind, fromMs: number, toMs: number): TimeWindow[];
  /**
   * A station's hourly mean of the outdoor truth at its coordinates plus reference-grade
   * error, for the hour starting at `hourStartMs`; both null in a missing hour.
   * Throws for an unknown station id.
   */
  referenceHour(stationId: string, hourStartMs: number): ReferenceHour;
}
