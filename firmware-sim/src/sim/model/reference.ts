/**
 * The simulated reference network: each MOENV station observes the same outdoor truth the
 * boxes do, at its own coordinates, as an hourly mean with reference-grade error — a small
 * fixed gain error per monitor, a little noise per hour, integer µg/m³ as MOENV publishes,
 * and now and then a missing hour. Calibration learns from these; the truth itself is there
 * to measure how well it learned.
 */
import type { ReferenceStation } from '@airbox/geo';
import type { ReferenceConfig } from './config.ts';
import { normal, streamId, uniform } from './rng.ts';
import type { ReferenceHour, TruthSample } from './types.ts';

const HOUR_MS = 3_600_000;
/** The hourly mean from 12 five-minute samples: a BAM-1020 integrates over the hour. */
const SAMPLES_PER_HOUR = 12;
/** PM10 monitors are noisier than PM2.5 ones (larger mass, same beta gauge): twice the sd. */
const PM10_NOISE_RATIO = 2;

const S = {
  gain: streamId('reference:gain'),
  noise: streamId('reference:noise'),
  missing: streamId('reference:missing'),
} as const;

export type TruthAt = (lat: number, lon: number, timeMs: number) => TruthSample;

export class ReferenceNetwork {
  readonly #seed: number;
  readonly #config: ReferenceConfig;
  readonly #truthAt: TruthAt;
  readonly #stations: ReadonlyMap<string, { station: ReferenceStation; key: number; gain: number }>;

  constructor(
    seed: number,
    stations: readonly ReferenceStation[],
    config: ReferenceConfig,
    truthAt: TruthAt,
  ) {
    this.#seed = seed;
    this.#config = config;
    this.#truthAt = truthAt;
    this.#stations = new Map(
      stations.map((station) => {
        // Keyed by site id, not list position, so a reordered station list changes nothing.
        const key = streamId(station.siteId);
        const gain = Math.max(0.5, 1 + config.gainSd * normal(seed, S.gain, key));
        return [station.siteId, { station, key, gain }];
      }),
    );
  }

  /** The station's hourly mean of the truth with reference-grade error; nulls when missing. */
  hour(stationId: string, hourStartMs: number): ReferenceHour {
    const entry = this.#stations.get(stationId);
    if (entry === undefined) {
      throw new Error(
        `referenceHour: no reference station with siteId '${stationId}' (the world has ${this.#stations.size} stations from @airbox/geo)`,
      );
    }
    const { station, key, gain } = entry;
    const hourIndex = Math.floor(hourStartMs / HOUR_MS);
    if (uniform(this.#seed, S.missing, key, hourIndex) < this.#config.missingShare) {
      return { pm25UgM3: null, pm10UgM3: null };
    }
    const mean = this.trueHourlyMean(station, hourStartMs);
    const c = this.#config;
    const err = (value: number, sdUgM3: number, draw: number) =>
      Math.max(
        0,
        Math.round(
          value * gain * (1 + c.noiseRelative * normal(this.#seed, S.noise, key, hourIndex, draw)) +
            sdUgM3 * normal(this.#seed, S.noise, key, hourIndex, draw + 1),
        ),
      );
    return {
      pm25UgM3: err(mean.pm25UgM3, c.noiseSdUgM3, 0),
      pm10UgM3: err(mean.pm10UgM3, c.noiseSdUgM3 * PM10_NOISE_RATIO, 2),
    };
  }

  /** The true hourly mean at the station (no instrument error), µg/m³. */
  trueHourlyMean(
    station: ReferenceStation,
    hourStartMs: number,
  ): { pm25UgM3: number; pm10UgM3: number } {
    let pm25 = 0;
    let pm10 = 0;
    const stepMs = HOUR_MS / SAMPLES_PER_HOUR;
    for (let k = 0; k < SAMPLES_PER_HOUR; k++) {
      const t = this.#truthAt(station.lat, station.lon, hourStartMs + (k + 0.5) * stepMs);
      pm25 += t.pm25UgM3;
      pm10 += t.pm10UgM3;
    }
    return { pm25UgM3: pm25 / SAMPLES_PER_HOUR, pm10UgM3: pm10 / SAMPLES_PER_HOUR };
  }
}
