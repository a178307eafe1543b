/**
 * What the simulated world is configured with. Every field has a unit in its name or doc and
 * a default with its source; where no paper pins a number down, the doc says it is a
 * modelling choice. `DEFAULT_SIM_CONFIG` holds the defaults; `resolveSimConfig`
 * (config-schema.ts) validates a partial config and fills it in.
 */

/** How a virtual box's sensors err. */
export interface SensorErrorConfig {
  /**
   * Fleet-mean CF=1 PM2.5 gain against the dry truth (ratio). Plantower PMS5003 reads high:
   * the US EPA correction (Barkjohn, Gantt & Clements 2021, AMT 14:4617, eq. 1:
   * PM2.5 = 0.524·PA_cf1 − 0.0862·RH + 5.75) puts CF=1 at ~1.9× the reference, humidity
   * growth included. Growth is modelled apart here (`kappa`), so the dry gain is lower: 1.4
   * gives an ATM/truth ratio of ~1.7–1.8 at Taiwan's usual 70–80 % RH. 1.4.
   */
  gainMean: number;
  /**
   * Unit-to-unit spread, sd of ln(gain). Same-model units differ by ±10–20 % (Zheng et al. 2018,
   * AMT 11:4823). 0.12.
   */
  gainSdLog: number;
  /** sd of each unit's fixed zero offset, µg/m³ (modelling choice). 1. */
  offsetSdUgM3: number;
  /**
   * Hygroscopicity κ of the sensed fine particles. Ambient PM2.5 in Taiwan: κ 0.15–0.29
   * derived with low-cost OPCs against MOENV (Huang et al. 2024, AMT 17:6073); the low end,
   * because the sensor's own warmth dries its sample a little. 0.15.
   */
  kappa: number;
  /** Unit-to-unit sd of κ (sensor warmth and inlet differ). 0.02. */
  kappaSd: number;
  /**
   * Water activity cap, % RH: κ-Köhler diverges at saturation (Crilley et al. 2018, AMT 11:709).
   * 95.
   */
  rhCapPct: number;
  /** κ of the coarse part relative to the fine: 0.05–0.13 vs 0.15–0.29 (Huang et al. 2024). 0.4. */
  coarseKappaRatio: number;
  /**
   * How much of the true coarse mass (PM10 − PM2.5) the PMS5003 reports: it barely sees
   * particles above 2.5 µm (Kuula et al. 2020, AMT 13:2413), so its PM10 tracks its PM2.5. 0.45.
   */
  coarseSensitivity: number;
  /**
   * Mean sensitivity drift, % per day since the simulation start (deSouza et al. 2023, Environ.
   * Sci.: Atmos. 3:521: slow degradation, faster in hot humid climates). 0.005.
   */
  driftMeanPctPerDay: number;
  /** Unit-to-unit sd of that drift, % per day. 0.01. */
  driftSdPctPerDay: number;
  /**
   * Additive noise sd of one 1-s reading, µg/m³ (PMS5003 datasheet 2016: consistency ±10 µg/m³ is
   * the worst case). 1.
   */
  noiseSdUgM3: number;
  /** Multiplicative noise sd (fraction; datasheet: ±10 % worst case above 100 µg/m³). 0.05. */
  noiseRelative: number;
  /** The box's T sensor reads warm: electronics heat the enclosure, °C (modelling choice). 1. */
  temperatureBiasC: number;
  /** Unit-to-unit sd of the T sensor's offset, °C (SHT31 ±0.3, DHT22 ±0.5 datasheets). 0.5. */
  temperatureSdC: number;
  /** Unit-to-unit sd of the RH sensor's offset, % RH (DHT22 ±2–5 % datasheet). 3. */
  humiditySdPct: number;
  /** Share of boxes indoors (classrooms, homes), 0…1 (modelling choice). 0.15. */
  indoorShare: number;
  /**
   * Mean indoor/outdoor infiltration factor of PM2.5: 0.3–0.8, ~0.55 typical (Chen & Zhao 2011,
   * Atmos. Environ. 45:275). 0.55.
   */
  infiltrationMean: number;
  /** Box-to-box sd of the infiltration factor. 0.1. */
  infiltrationSd: number;
  /** Indoor lag: 1/air-exchange rate, hours (residential 0.5–1 h⁻¹, Chen & Zhao 2011). 1.5. */
  indoorTimeConstantH: number;
  /**
   * Chance that a given meal is cooked near an indoor box, 0…1 (indoor sources: Abt et al. 2000,
   * EHP 108:35). 0.3.
   */
  cookingChance: number;
  /** Share of boxes with a wrong clock (a fixed offset of hours or years), 0…1. 0.02. */
  wrongClockShare: number;
  /** Fan failures per box per day; the PMS stops sending frames (modelling choice). 0.0005. */
  fanFailureRatePerDay: number;
  /** Mean fan-failure duration (until someone repairs it), hours; capped at 30 days. 120. */
  fanFailureMeanH: number;
  /** Stuck-value episodes per box per day (frozen firmware or sensor). 0.002. */
  stuckRatePerDay: number;
  /** Mean stuck duration, hours; capped at 3 days. 6. */
  stuckMeanH: number;
  /** Wi-Fi outages per box per day (fleet mean; Poisson). 0.5. */
  outageRatePerDay: number;
  /** Mean outage duration, minutes (lognormal, σ = 1, capped at 24 h). 30. */
  outageMeanMin: number;
  /**
   * Box-to-box spread of the outage rate, sd of ln(rate) around the fleet mean (weak Wi-Fi). 0.5.
   */
  outageRateSdLog: number;
}

/** The true PM field. */
export interface FieldConfig {
  /** Multiplies the regional annual-mean map (background.ts). 1. */
  backgroundScale: number;
  /** sd of ln(background) from synoptic weather, days and ~100 km (modelling choice). 0.35. */
  synopticSdLog: number;
  /** sd of ln(background) at neighbourhood scale, ~10–40 km, hours. 0.15. */
  localSdLog: number;
  /**
   * Multi-day transport episodes per month in winter (Jan); summer is `…Summer`, cosine between.
   * 2.5.
   */
  episodesPerMonthWinter: number;
  /** Episodes per month in summer (Jul). 0.3. */
  episodesPerMonthSummer: number;
  /** Median peak PM2.5 an episode adds at its centre, µg/m³. 18. */
  episodeMedianUgM3: number;
  /** Local plumes (traffic, industry) starting per day over the whole territory. 150. */
  plumesPerDay: number;
  /** Median peak PM2.5 a plume adds at its centre, µg/m³. 15. */
  plumeMedianUgM3: number;
}

/** The simulated reference (MOENV) network. */
export interface ReferenceConfig {
  /**
   * Station-to-station sd of the monitor's gain (fraction). A PM2.5 FEM must hold slope
   * 1 ± 0.10 and intercept ±2 µg/m³ against the FRM (40 CFR 53, Table C-4). 0.03.
   */
  gainSd: number;
  /** Hourly additive noise sd, µg/m³. 1.5. */
  noiseSdUgM3: number;
  /** Hourly multiplicative noise sd (fraction). 0.03. */
  noiseRelative: number;
  /** Share of station-hours missing (maintenance, QC-rejected), 0…1. 0.01. */
  missingShare: number;
}

export interface PlacementConfig {
  /** Boxes beside each reference station, placed first (co-location for calibration). 2. */
  perStation: number;
  /** Farthest such a box stands from its station, m. 250. */
  stationMaxDistanceM: number;
}

export interface SimConfig {
  /** Integer; the same seed gives the same world. */
  seed: number;
  /** Simulation start, epoch ms (UTC); sensor drift counts from here. */
  startMs: number;
  /** How many virtual boxes: station pairs first, then spread over populated areas. */
  boxes: number;
  errors: SensorErrorConfig;
  field: FieldConfig;
  reference: ReferenceConfig;
  placement: PlacementConfig;
}

/** What `createSimWorld` accepts: seed, boxes and start, and any defaults to override. */
export interface SimConfigInput {
  seed: number;
  startMs: number;
  boxes: number;
  errors?: Partial<SensorErrorConfig>;
  field?: Partial<FieldConfig>;
  reference?: Partial<ReferenceConfig>;
  placement?: Partial<PlacementConfig>;
}

export const DEFAULT_SENSOR_ERRORS: Readonly<SensorErrorConfig> = Object.freeze({
  gainMean: 1.4,
  gainSdLog: 0.12,
  offsetSdUgM3: 1,
  kappa: 0.15,
  kappaSd: 0.02,
  rhCapPct: 95,
  coarseKappaRatio: 0.4,
  coarseSensitivity: 0.45,
  driftMeanPctPerDay: 0.005,
  driftSdPctPerDay: 0.01,
  noiseSdUgM3: 1,
  noiseRelative: 0.05,
  temperatureBiasC: 1,
  temperatureSdC: 0.5,
  humiditySdPct: 3,
  indoorShare: 0.15,
  infiltrationMean: 0.55,
  infiltrationSd: 0.1,
  indoorTimeConstantH: 1.5,
  cookingChance: 0.3,
  wrongClockShare: 0.02,
  fanFailureRatePerDay: 0.0005,
  fanFailureMeanH: 120,
  stuckRatePerDay: 0.002,
  stuckMeanH: 6,
  outageRatePerDay: 0.5,
  outageMeanMin: 30,
  outageRateSdLog: 0.5,
});

export const DEFAULT_FIELD: Readonly<FieldConfig> = Object.freeze({
  backgroundScale: 1,
  synopticSdLog: 0.35,
  localSdLog: 0.15,
  episodesPerMonthWinter: 2.5,
  episodesPerMonthSummer: 0.3,
  episodeMedianUgM3: 18,
  plumesPerDay: 150,
  plumeMedianUgM3: 15,
});

export const DEFAULT_REFERENCE: Readonly<ReferenceConfig> = Object.freeze({
  gainSd: 0.03,
  noiseSdUgM3: 1.5,
  noiseRelative: 0.03,
  missingShare: 0.01,
});

export const DEFAULT_PLACEMENT: Readonly<PlacementConfig> = Object.freeze({
  perStation: 2,
  stationMaxDistanceM: 250,
});

export const DEFAULT_SIM_CONFIG: Readonly<SimConfig> = Object.freeze({
  seed: 1,
  startMs: Date.UTC(2026, 0, 1),
  boxes: 100,
  errors: DEFAULT_SENSOR_ERRORS,
  field: DEFAULT_FIELD,
  reference: DEFAULT_REFERENCE,
  placement: DEFAULT_PLACEMENT,
});
