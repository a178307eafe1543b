import type { StoredReading } from '@airbox/contracts';

/**
 * Synthetic co-location in a real store: MOENV stations from the bundled list reporting an
 * hourly "truth", and boxes beside (or away from) them reading gain · truth + offset + noise,
 * with their own RH and temperature. Noise comes from a seeded generator: a failing case
 * reproduces exactly.
 */
export const T0_MS = Date.UTC(2026, 2, 1); // 2026-03-01T00:00Z
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// Positions from packages/geo/data/moenv-stations.csv.
export const BANQIAO = { deviceId: 'EPA-Banqiao', lat: 25.012972, lon: 121.458667 };
export const TUCHENG = { deviceId: 'EPA-Tucheng', lat: 24.982528, lon: 121.451861 };
export const WANHUA = { deviceId: 'EPA-Wanhua', lat: 25.046503, lon: 121.507972 };

/** Mulberry32: a small seeded PRNG (same as the CLI demo's). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A point `northM` north and `eastM` east of `p` (flat-Earth offsets: fine for km). */
export function offset(p: { lat: number; lon: number }, northM: number, eastM: number) {
  const mPerDegLat = 111_195;
  return {
    lat: p.lat + northM / mPerDegLat,
    lon: p.lon + eastM / (mPerDegLat * Math.cos((p.lat * Math.PI) / 180)),
  };
}

/** Hourly reference PM2.5 at hour `h` after T0: diurnal cycle + multi-day swings, > 0. */
export function truthUgM3(h: number, station = 0): number {
  const diurnal = 8 * Math.cos((2 * Math.PI * (h - 8)) / 24);
  const synoptic = 9 * Math.sin((2 * Math.PI * h) / 79 + station) + 4 * Math.sin(h / 17);
  return Math.round((24 + diurnal + synoptic) * 10) / 10;
}

function reading(
  deviceId: string,
  timeMs: number,
  kind: 'box' | 'reference',
  values: Partial<StoredReading>,
): StoredReading {
  const time = new Date(timeMs).toISOString();
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: null,
    lon: null,
    pm1UgM3: null,
    pm25UgM3: null,
    pm10UgM3: null,
    temperatureC: null,
    humidityPct: null,
    format: kind === 'box' ? 'native-v1' : 'lass-opendata',
    app: kind === 'box' ? null : 'EPA_COPY',
    firmware: null,
    flags: [],
    kind,
    ...values,
  };
}

export interface StationSpec {
  deviceId: string;
  lat: number;
  lon: number;
  /** Which truth series (0, 1, …): stations see different air. */
  index: number;
}

/** One reading per hour, labelled at the start of the hour, hours [fromHour, toHour). */
export function stationReadings(s: StationSpec, fromHour: number, toHour: number) {
  const out: StoredReading[] = [];
  for (let h = fromHour; h < toHour; h++) {
    out.push(
      reading(s.deviceId, T0_MS + h * HOUR_MS, 'reference', {
        lat: s.lat,
        lon: s.lon,
        pm25UgM3: truthUgM3(h, s.index),
      }),
    );
  }
  return out;
}

export interface BoxSpec {
  deviceId: string;
  lat: number | null;
  lon: number | null;
  /** The truth series the box breathes (its station's index). */
  index: number;
  gain: number | ((hour: number) => number);
  offsetUgM3: number;
  perHour: number;
  seed: number;
  /** Readings in hour h; default perHour. */
  countAt?: (hour: number) => number;
}

/** Box readings spread evenly over each hour of [fromHour, toHour). */
export function boxReadings(b: BoxSpec, fromHour: number, toHour: number): StoredReading[] {
  const random = seeded(b.seed);
  const out: StoredReading[] = [];
  for (let h = fromHour; h < toHour; h++) {
    const gain = typeof b.gain === 'number' ? b.gain : b.gain(h);
    const count = b.countAt?.(h) ?? b.perHour;
    const hourOfDay = h % 24;
    for (let i = 0; i < count; i++) {
      const rh = 70 + 12 * Math.sin((2 * Math.PI * (hourOfDay - 3)) / 24) + (h % 7);
      const t = 22 + 5 * Math.cos((2 * Math.PI * (hourOfDay - 14)) / 24) + (h % 5) * 0.3;
      const raw = gain * truthUgM3(h, b.index) + b.offsetUgM3 + (random() - 0.5) * 2;
      out.push(
        reading(b.deviceId, T0_MS + h * HOUR_MS + Math.floor((i * HOUR_MS) / count), 'box', {
          lat: b.lat,
          lon: b.lon,
          pm25UgM3: Math.round(raw * 10) / 10,
          humidityPct: Math.round(rh),
          temperatureC: Math.round(t * 10) / 10,
        }),
      );
    }
  }
  return out;
}
