/**
 * Local plumes: traffic near where people live and stacks at the big industrial sources
 * (places.ts), a few hundred metres to a few km across, lasting hours. They make boxes a
 * street apart disagree now and then, as real neighbours do. Plumes are drawn per UTC day
 * and sorted into hourly buckets, so a lookup scans only the ~20 plumes alive that hour.
 */
import type { FieldConfig } from './config.ts';
import { BoundedMemo, type PmSum } from './memo.ts';
import { KM_PER_DEG_LAT, KM_PER_DEG_LON } from './background.ts';
import { cumulativeWeights, INDUSTRIAL_SOURCES, POPULATED_PLACES, type Place } from './places.ts';
import { normal, pickCumulative, poissonFromUniform, streamId, uniform } from './rng.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Longest plume; shorter than a day, so a day's buckets need that day and the one before. */
const MAX_DURATION_MS = 12 * HOUR_MS;
const INDUSTRIAL_SHARE = 0.2;
const STREAM = streamId('plumes');

interface Plume {
  startMs: number;
  endMs: number;
  lat: number;
  lon: number;
  /** Beyond 3 radii a plume adds < 1 %: skip it (degrees of latitude / longitude). */
  reachLatDeg: number;
  reachLonDeg: number;
  inv2R2Km2: number;
  peakPm25UgM3: number;
}

const PLACE_CUMULATIVE = cumulativeWeights(POPULATED_PLACES.map((p) => p.populationK));
const INDUSTRY_CUMULATIVE = cumulativeWeights(INDUSTRIAL_SOURCES.map((p) => p.weight));

export class PlumeSchedule {
  readonly #seed: number;
  readonly #config: FieldConfig;
  /**
   * Per day: 24 lists of the plumes alive in each hour (~20 KB a day). A year of days fits,
   * so a caller that walks one box through a year and then the next does not redraw them.
   */
  readonly #hours = new BoundedMemo<Plume[][]>(400, (day) => this.#bucket(day));
  readonly #days = new BoundedMemo<Plume[]>(401, (day) => this.#drawDay(day));

  constructor(seed: number, config: FieldConfig) {
    this.#seed = seed;
    this.#config = config;
  }

  addTo(sum: PmSum, lat: number, lon: number, timeMs: number): void {
    const day = Math.floor(timeMs / DAY_MS);
    const hour = Math.floor((timeMs - day * DAY_MS) / HOUR_MS);
    const alive = this.#hours.get(day)[hour] ?? [];
    for (const p of alive) {
      if (timeMs < p.startMs || timeMs >= p.endMs) continue;
      const dLat = lat - p.lat;
      const dLon = lon - p.lon;
      if (Math.abs(dLat) > p.reachLatDeg || Math.abs(dLon) > p.reachLonDeg) continue;
      const dy = dLat * KM_PER_DEG_LAT;
      const dx = dLon * KM_PER_DEG_LON;
      const rise = Math.sin((Math.PI * (timeMs - p.startMs)) / (p.endMs - p.startMs));
      const pm25 = p.peakPm25UgM3 * rise * Math.exp(-(dx * dx + dy * dy) * p.inv2R2Km2);
      // Fresh combustion aerosol is fine: PM1/PM2.5 ≈ 0.85, PM2.5/PM10 ≈ 0.75.
      sum.pm25 += pm25;
      sum.pm1 += 0.85 * pm25;
      sum.pm10 += pm25 / 0.75;
    }
  }

  #bucket(day: number): Plume[][] {
    const dayStartMs = day * DAY_MS;
    const hours: Plume[][] = Array.from({ length: 24 }, () => []);
    for (const p of [...this.#days.get(day - 1), ...this.#days.get(day)]) {
      const first = Math.max(0, Math.floor((p.startMs - dayStartMs) / HOUR_MS));
      const last = Math.min(23, Math.floor((p.endMs - 1 - dayStartMs) / HOUR_MS));
      for (let h = first; h <= last; h++) hours[h]?.push(p);
    }
    return hours;
  }

  #drawDay(day: number): Plume[] {
    const s = this.#seed;
    const count = poissonFromUniform(this.#config.plumesPerDay, uniform(s, STREAM, day));
    const plumes: Plume[] = [];
    for (let k = 0; k < count; k++) {
      const industrial = uniform(s, STREAM, day, k, 1) < INDUSTRIAL_SHARE;
      const place: Pick<Place, 'lat' | 'lon' | 'scatterKm'> = industrial
        ? INDUSTRIAL_SOURCES[pickCumulative(INDUSTRY_CUMULATIVE, uniform(s, STREAM, day, k, 2))]!
        : POPULATED_PLACES[pickCumulative(PLACE_CUMULATIVE, uniform(s, STREAM, day, k, 2))]!;
      // Traffic plumes: 0.3–1.5 km; stacks spread wider, 1–4 km (log-uniform).
      const radiusKm = industrial
        ? 1 * Math.pow(4, uniform(s, STREAM, day, k, 3))
        : 0.3 * Math.pow(5, uniform(s, STREAM, day, k, 3));
      const durationMs = Math.min(
        MAX_DURATION_MS,
        3 * HOUR_MS * Math.exp(0.6 * normal(s, STREAM, day, k, 4) - 0.18),
      );
      const startMs = day * DAY_MS + uniform(s, STREAM, day, k, 5) * DAY_MS;
      const peak = this.#config.plumeMedianUgM3 * Math.exp(0.7 * normal(s, STREAM, day, k, 6));
      plumes.push({
        startMs,
        endMs: startMs + durationMs,
        lat: place.lat + (place.scatterKm * normal(s, STREAM, day, k, 7)) / KM_PER_DEG_LAT,
        lon: place.lon + (place.scatterKm * normal(s, STREAM, day, k, 8)) / KM_PER_DEG_LON,
        reachLatDeg: (3 * radiusKm) / KM_PER_DEG_LAT,
        reachLonDeg: (3 * radiusKm) / KM_PER_DEG_LON,
        inv2R2Km2: 1 / (2 * radiusKm * radiusKm),
        peakPm25UgM3: industrial ? 1.5 * peak : peak,
      });
    }
    return plumes;
  }
}
