/**
 * Multi-day pollution episodes: long-range transport under the northeast monsoon, mostly
 * from October to April, lasting 2–4 days and covering hundreds of km (MOENV's annual
 * reports attribute most winter and spring episode days in northern and western Taiwan to
 * it), and Asian dust in late winter and spring, which is coarse (PM2.5/PM10 ≈ 0.3).
 * Episodes are drawn per 10-day bin from the seed, so any moment needs only two bins.
 */
import type { FieldConfig } from './config.ts';
import { BoundedMemo, type PmSum } from './memo.ts';
import { KM_PER_DEG_LAT, KM_PER_DEG_LON, summerness } from './background.ts';
import { normal, poissonFromUniform, streamId, uniform } from './rng.ts';

const DAY_MS = 86_400_000;
/** Bin length; the longest episode (4 days) is shorter, so an episode spans ≤ 2 bins. */
const BIN_MS = 10 * DAY_MS;
const DAYS_PER_MONTH = 30.44;
const STREAM = streamId('episodes');

interface Episode {
  startMs: number;
  durationMs: number;
  lat0: number;
  lon0: number;
  latPerMs: number;
  lonPerMs: number;
  /** 1/(2R²) with R in degrees-equivalent km, for the Gaussian footprint. */
  inv2R2Km2: number;
  peakPm25UgM3: number;
  /** PM1 as a share of PM2.5, and PM2.5 as a share of PM10, for this kind of episode. */
  pm1Share: number;
  pm25Share: number;
}

export class EpisodeSchedule {
  readonly #seed: number;
  readonly #config: FieldConfig;
  readonly #bins = new BoundedMemo<Episode[]>(512, (bin) => this.#draw(bin));

  constructor(seed: number, config: FieldConfig) {
    this.#seed = seed;
    this.#config = config;
  }

  /** Adds the episodes' PM at (lat, lon, t) to `sum`. */
  addTo(sum: PmSum, lat: number, lon: number, timeMs: number): void {
    const bin = Math.floor(timeMs / BIN_MS);
    this.#addBin(this.#bins.get(bin), sum, lat, lon, timeMs);
    this.#addBin(this.#bins.get(bin - 1), sum, lat, lon, timeMs);
  }

  #addBin(episodes: readonly Episode[], sum: PmSum, lat: number, lon: number, t: number): void {
    for (const e of episodes) {
      const dt = t - e.startMs;
      if (dt < 0 || dt >= e.durationMs) continue;
      const dy = (lat - e.lat0 - e.latPerMs * dt) * KM_PER_DEG_LAT;
      const dx = (lon - e.lon0 - e.lonPerMs * dt) * KM_PER_DEG_LON;
      const rise = Math.sin((Math.PI * dt) / e.durationMs);
      const pm25 = e.peakPm25UgM3 * rise * rise * Math.exp(-(dx * dx + dy * dy) * e.inv2R2Km2);
      sum.pm25 += pm25;
      sum.pm1 += pm25 * e.pm1Share;
      sum.pm10 += pm25 / e.pm25Share;
    }
  }

  #draw(bin: number): Episode[] {
    const s = this.#seed;
    const binStartMs = bin * BIN_MS;
    const summer = summerness(binStartMs + BIN_MS / 2);
    const perMonth =
      this.#config.episodesPerMonthWinter * (1 - summer) +
      this.#config.episodesPerMonthSummer * summer;
    const count = poissonFromUniform(
      (perMonth * BIN_MS) / (DAYS_PER_MONTH * DAY_MS),
      uniform(s, STREAM, bin),
    );
    const episodes: Episode[] = [];
    for (let k = 0; k < count; k++) {
      const startMs = binStartMs + uniform(s, STREAM, bin, k, 1) * BIN_MS;
      const dayOfYear = (((startMs / DAY_MS) % 365.2425) + 365.2425) % 365.2425;
      // Asian dust reaches Taiwan mostly from February to May.
      const dust = dayOfYear > 31 && dayOfYear < 151 && uniform(s, STREAM, bin, k, 2) < 0.35;
      const radiusKm = 150 + 150 * uniform(s, STREAM, bin, k, 3);
      // The front moves south-southwest at 60–150 km a day.
      const speedKmPerDay = 60 + 90 * uniform(s, STREAM, bin, k, 4);
      episodes.push({
        startMs,
        durationMs: (2 + 2 * uniform(s, STREAM, bin, k, 5)) * DAY_MS,
        lat0: 24.6 + 0.6 * normal(s, STREAM, bin, k, 6),
        lon0: 120.6 + 0.5 * normal(s, STREAM, bin, k, 7),
        latPerMs: -speedKmPerDay / KM_PER_DEG_LAT / DAY_MS,
        lonPerMs: (-0.3 * speedKmPerDay) / KM_PER_DEG_LON / DAY_MS,
        inv2R2Km2: 1 / (2 * radiusKm * radiusKm),
        peakPm25UgM3: this.#config.episodeMedianUgM3 * Math.exp(0.5 * normal(s, STREAM, bin, k, 8)),
        pm1Share: dust ? 0.45 : 0.8,
        pm25Share: dust ? 0.3 : 0.7,
      });
    }
    return episodes;
  }
}
