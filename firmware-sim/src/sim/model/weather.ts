/**
 * Temperature and relative humidity. Temperature follows latitude, season and the diurnal
 * cycle, plus synoptic weather; humidity follows from a dew point that changes slowly over
 * the day, so RH is high at night and low in the afternoon (anti-correlated with T, as
 * measured: ~90–95 % before dawn, ~60–70 % in the afternoon on an ordinary day).
 */
import { localHour } from './background.ts';
import { makeWaveField, waveValue, type WaveField } from './waves.ts';

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.2425;

/**
 * Climate normals 1991–2020 of Taiwan's Central Weather Administration: Taipei (25.04° N)
 * annual mean 23.6 °C, January 16.1, July 29.6; Kaohsiung (22.6° N) 25.4 °C, 19.3, 29.2.
 * Linear in latitude between (and beyond) the two; lowland values, as boxes are where
 * people live.
 */
function climateAt(lat: number): { meanC: number; seasonalAmplitudeC: number } {
  const north = lat - 25.04;
  return {
    meanC: 23.6 - north * 0.74,
    seasonalAmplitudeC: Math.max(3, 6.75 + north * 0.7),
  };
}

/** Diurnal half-range, °C: CWA normals give a daily range of ~6–8 °C in the lowlands. */
const DIURNAL_AMPLITUDE_C = 3.2;
/** The afternoon maximum comes at about 14:00 local time. */
const WARMEST_HOUR = 14;

export interface Weather {
  temperatureC: number;
  humidityPct: number;
}

export class WeatherField {
  readonly #synopticC: WaveField;
  readonly #depressionNoiseC: WaveField;

  constructor(seed: number) {
    // Cold surges and warm spells: ~1.8 °C sd over 2–7 days and ~300–1500 km.
    this.#synopticC = makeWaveField(seed, 'temperature', {
      count: 5,
      sd: 1.8,
      minWavelengthKm: 300,
      maxWavelengthKm: 1500,
      minPeriodDays: 2,
      maxPeriodDays: 7,
    });
    // Dry and humid spells: the dew-point depression varies by ~1.8 °C sd over 1–5 days.
    this.#depressionNoiseC = makeWaveField(seed, 'dewpoint-depression', {
      count: 5,
      sd: 1.8,
      minWavelengthKm: 150,
      maxWavelengthKm: 800,
      minPeriodDays: 1,
      maxPeriodDays: 5,
    });
  }

  at(lat: number, lon: number, timeMs: number): Weather {
    const { meanC, seasonalAmplitudeC } = climateAt(lat);
    const dayOfYear = timeMs / DAY_MS;
    // The warmest month is July (day ~200 of the year).
    const seasonal = seasonalAmplitudeC * Math.cos((2 * Math.PI * (dayOfYear - 200)) / YEAR_DAYS);
    const dailyMeanC = meanC + seasonal + waveValue(this.#synopticC, lat, lon, timeMs);
    const diurnal =
      DIURNAL_AMPLITUDE_C * Math.cos((2 * Math.PI * (localHour(timeMs) - WARMEST_HOUR)) / 24);
    const temperatureC = dailyMeanC + diurnal;
    // Winter monsoon air is drier: mean depression 5.5 °C in January, 4 °C in July, which
    // puts the mean RH near the 75–80 % of CWA's lowland normals.
    const winter = 0.5 + 0.5 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / YEAR_DAYS);
    const depressionC = 4 + 1.5 * winter + waveValue(this.#depressionNoiseC, lat, lon, timeMs);
    // Dew point from the daily mean, so that the diurnal swing moves RH, not the dew point.
    const spreadC = temperatureC - (dailyMeanC - depressionC);
    // Where the night would cool below the dew point, dew and fog take the water out instead:
    // a smooth floor keeps the spread positive (≈ 0.8 °C, RH ≈ 95 %, at a zero raw spread).
    const softSpreadC = (spreadC + Math.sqrt(spreadC * spreadC + 2.56)) / 2;
    return {
      temperatureC,
      humidityPct: relativeHumidityPct(temperatureC, temperatureC - softSpreadC),
    };
  }
}

/**
 * RH from temperature and dew point with the Magnus formula, coefficients of Alduchov &
 * Eskridge 1996 (J. Appl. Meteor. 35:601): e_s(T) = 6.1094·exp(17.625·T / (T + 243.04)).
 * Clamped to 5…100 %.
 */
export function relativeHumidityPct(temperatureC: number, dewPointC: number): number {
  const a = 17.625;
  const b = 243.04;
  const rh =
    100 * Math.exp((a * dewPointC) / (b + dewPointC) - (a * temperatureC) / (b + temperatureC));
  return Math.min(100, Math.max(5, rh));
}
