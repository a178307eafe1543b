/**
 * The outdoor truth: what a perfect instrument would measure at any point of Taiwan at any
 * moment. PM2.5 is
 *
 *   regional background × season × diurnal cycle × weather (smooth random fields)
 *   + multi-day episodes + local plumes,
 *
 * each part cheap to evaluate (about 20 cosines and a few exponentials in all), so the
 * field needs no grid in time and no state: it is a pure function of (seed, lat, lon, t).
 * Nearby points share the smooth parts and differ by plumes and the neighbourhood-scale
 * field; points 100 km apart share only the season and the hour.
 */
import { annualMeanPm25, diurnalFactor, seasonalFactor } from './background.ts';
import type { FieldConfig } from './config.ts';
import { EpisodeSchedule } from './episodes.ts';
import type { PmSum } from './memo.ts';
import { PlumeSchedule } from './plumes.ts';
import type { TruthSample } from './types.ts';
import { makeWaveField, waveValue, type WaveField } from './waves.ts';
import { WeatherField } from './weather.ts';

/**
 * Ambient Taiwanese aerosol: PM1 ≈ 0.75 of PM2.5 for the aged regional mix and PM2.5 ≈ 0.55
 * of PM10 (MOENV's 2019 national means, 16.2 and ~30 µg/m³).
 */
const BACKGROUND_PM1_SHARE = 0.75;
const BACKGROUND_PM25_SHARE = 0.55;

export class TruthField {
  readonly #config: FieldConfig;
  readonly #synoptic: WaveField;
  readonly #local: WaveField;
  readonly #episodes: EpisodeSchedule;
  readonly #plumes: PlumeSchedule;
  readonly #weather: WeatherField;
  /** exp(−σ²/2) for the two lognormal factors, so that they have mean 1. */
  readonly #lognormalMeanCorrection: number;

  constructor(seed: number, config: FieldConfig) {
    this.#config = config;
    // Synoptic weather (fronts, stagnant highs): 40–400 km, 1.5–6 days.
    this.#synoptic = makeWaveField(seed, 'pm-synoptic', {
      count: 8,
      sd: config.synopticSdLog,
      minWavelengthKm: 40,
      maxWavelengthKm: 400,
      minPeriodDays: 1.5,
      maxPeriodDays: 6,
    });
    // Neighbourhood scale (sea breeze, valleys, districts): 8–40 km, half a day to 2 days.
    this.#local = makeWaveField(seed, 'pm-local', {
      count: 4,
      sd: config.localSdLog,
      minWavelengthKm: 8,
      maxWavelengthKm: 40,
      minPeriodDays: 0.5,
      maxPeriodDays: 2,
    });
    this.#episodes = new EpisodeSchedule(seed, config);
    this.#plumes = new PlumeSchedule(seed, config);
    this.#weather = new WeatherField(seed);
    const variance = config.synopticSdLog ** 2 + config.localSdLog ** 2;
    this.#lognormalMeanCorrection = Math.exp(-variance / 2);
  }

  /** The regional background PM2.5 alone (no episodes, no plumes), µg/m³. */
  backgroundPm25(lat: number, lon: number, timeMs: number): number {
    const weather =
      waveValue(this.#synoptic, lat, lon, timeMs) + waveValue(this.#local, lat, lon, timeMs);
    return (
      this.#config.backgroundScale *
      annualMeanPm25(lat, lon) *
      seasonalFactor(lat, timeMs) *
      diurnalFactor(timeMs) *
      Math.exp(weather) *
      this.#lognormalMeanCorrection
    );
  }

  at(lat: number, lon: number, timeMs: number): TruthSample {
    const background = this.backgroundPm25(lat, lon, timeMs);
    const sum: PmSum = {
      pm1: background * BACKGROUND_PM1_SHARE,
      pm25: background,
      pm10: background / BACKGROUND_PM25_SHARE,
    };
    this.#episodes.addTo(sum, lat, lon, timeMs);
    this.#plumes.addTo(sum, lat, lon, timeMs);
    const weather = this.#weather.at(lat, lon, timeMs);
    return {
      pm1UgM3: sum.pm1,
      pm25UgM3: sum.pm25,
      pm10UgM3: sum.pm10,
      temperatureC: weather.temperatureC,
      humidityPct: weather.humidityPct,
    };
  }
}
