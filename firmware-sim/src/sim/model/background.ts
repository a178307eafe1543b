/**
 * The regional PM2.5 background before weather: where it is high (annual-mean map), when in
 * the year (season) and when in the day (diurnal cycle, Taipei local time). All three are
 * smooth and cheap: one bilinear lookup, one cosine, one table lookup.
 */

/**
 * Annual-mean PM2.5 anchors, µg/m³, rounded from MOENV station annual means around 2019
 * (MOENV Air Quality Annual Report): the western plain south of Taichung highest, the
 * north lower, the east coast and mountains cleanest, Kinmen and Matsu high from the
 * mainland's outflow. Approximate by design: the map only has to look like Taiwan.
 */
const ANNUAL_MEAN_ANCHORS: readonly (readonly [lat: number, lon: number, pm25UgM3: number])[] = [
  [25.13, 121.74, 11], // Keelung
  [25.04, 121.53, 14], // Taipei
  [25.01, 121.45, 15], // New Taipei (west)
  [24.99, 121.3, 16], // Taoyuan
  [24.8, 120.97, 14], // Hsinchu
  [24.56, 120.82, 15], // Miaoli
  [24.15, 120.67, 18], // Taichung
  [24.07, 120.54, 19], // Changhua
  [23.91, 120.68, 20], // Nantou
  [23.71, 120.45, 21], // Yunlin
  [23.48, 120.44, 21], // Chiayi
  [23.0, 120.2, 21], // Tainan
  [22.63, 120.31, 22], // Kaohsiung
  [22.67, 120.49, 19], // Pingtung
  [22.0, 120.75, 11], // Hengchun
  [24.75, 121.75, 10], // Yilan
  [23.98, 121.6, 9], // Hualien
  [22.76, 121.14, 8], // Taitung
  [23.57, 119.57, 12], // Penghu
  [24.43, 118.31, 21], // Kinmen
  [26.15, 119.95, 18], // Matsu
  [23.6, 121.0, 8], // Central Mountain Range
  [24.3, 121.3, 8], // Xueshan Range
];

/** Far from every anchor (open sea), the map tends to this, µg/m³. */
const FALLBACK_PM25_UG_M3 = 12;
/** Smoothing length of the map, km: about a county. */
const KERNEL_KM = 30;
const GRID = { lat0: 21.8, lon0: 118.0, stepDeg: 0.05, rows: 95, cols: 83 } as const;
export const KM_PER_DEG_LAT = 111.2;
/** km per degree of longitude at 23.7° N, the middle of Taiwan. */
export const KM_PER_DEG_LON = 111.2 * Math.cos((23.7 * Math.PI) / 180);

const ANNUAL_MEAN_GRID = buildAnnualMeanGrid();

function buildAnnualMeanGrid(): Float64Array {
  const grid = new Float64Array(GRID.rows * GRID.cols);
  for (let r = 0; r < GRID.rows; r++) {
    for (let c = 0; c < GRID.cols; c++) {
      const lat = GRID.lat0 + r * GRID.stepDeg;
      const lon = GRID.lon0 + c * GRID.stepDeg;
      let weight = 1e-4;
      let sum = weight * FALLBACK_PM25_UG_M3;
      for (const [aLat, aLon, pm25] of ANNUAL_MEAN_ANCHORS) {
        const dy = (lat - aLat) * KM_PER_DEG_LAT;
        const dx = (lon - aLon) * KM_PER_DEG_LON;
        const w = Math.exp(-(dx * dx + dy * dy) / (2 * KERNEL_KM * KERNEL_KM));
        weight += w;
        sum += w * pm25;
      }
      grid[r * GRID.cols + c] = sum / weight;
    }
  }
  return grid;
}

/** Annual-mean PM2.5 at a point, µg/m³ (bilinear on a 0.05° grid; edges clamp). */
export function annualMeanPm25(lat: number, lon: number): number {
  const y = Math.min(Math.max((lat - GRID.lat0) / GRID.stepDeg, 0), GRID.rows - 1.000001);
  const x = Math.min(Math.max((lon - GRID.lon0) / GRID.stepDeg, 0), GRID.cols - 1.000001);
  const r = Math.floor(y);
  const c = Math.floor(x);
  const fy = y - r;
  const fx = x - c;
  const i = r * GRID.cols + c;
  const g = ANNUAL_MEAN_GRID;
  const top = (g[i] ?? 0) * (1 - fx) + (g[i + 1] ?? 0) * fx;
  const bottom = (g[i + GRID.cols] ?? 0) * (1 - fx) + (g[i + GRID.cols + 1] ?? 0) * fx;
  return top * (1 - fy) + bottom * fy;
}

const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.2425;
/** Day of year of 1970-01-01 is 0; the cosine below needs only the phase. */
const dayOfYear = (timeMs: number) => (timeMs / DAY_MS) % YEAR_DAYS;

/**
 * Seasonal factor: PM2.5 peaks in winter and spring (northeast monsoon, stagnant southwest)
 * and is lowest in summer (southwest monsoon, rain); the swing is larger in the south
 * (Kaohsiung's monthly means vary about ±50 %, Taipei's about ±25 %; MOENV monthly means).
 */
export function seasonalFactor(lat: number, timeMs: number): number {
  const amplitude = Math.min(0.5, Math.max(0.2, 0.25 + (25.0 - lat) * 0.1));
  return 1 + amplitude * Math.cos((2 * Math.PI * (dayOfYear(timeMs) - 15)) / YEAR_DAYS);
}

/** 0 in mid-January, 1 in mid-July: how summery the season is. */
export function summerness(timeMs: number): number {
  return 0.5 - 0.5 * Math.cos((2 * Math.PI * (dayOfYear(timeMs) - 15)) / YEAR_DAYS);
}

/** Asia/Taipei is UTC+8 all year (no daylight saving since 1979). */
export const TAIPEI_OFFSET_MS = 8 * 3_600_000;

export function localHour(timeMs: number): number {
  const h = ((timeMs + TAIPEI_OFFSET_MS) % DAY_MS) / 3_600_000;
  return h < 0 ? h + 24 : h;
}

const DIURNAL_STEPS_PER_HOUR = 4;
const DIURNAL_TABLE = buildDiurnalTable();

/**
 * The urban double peak: a morning maximum near 08:30 (rush hour under a still-shallow
 * boundary layer), an afternoon minimum near 15:00 (deepest mixing) and an evening maximum
 * near 21:00 (traffic and the nocturnal inversion); Stull 1988, "An Introduction to
 * Boundary Layer Meteorology", ch. 1, for the mixing cycle. Normalised to a daily mean of 1.
 */
function buildDiurnalTable(): Float64Array {
  const n = 24 * DIURNAL_STEPS_PER_HOUR;
  const bump = (h: number, centre: number, width: number) => {
    const d = Math.min(Math.abs(h - centre), 24 - Math.abs(h - centre));
    return Math.exp(-(d * d) / (2 * width * width));
  };
  const table = new Float64Array(n + 1);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const h = i / DIURNAL_STEPS_PER_HOUR;
    const v = 1 + 0.3 * bump(h, 8.5, 1.5) + 0.35 * bump(h, 21, 2.5) - 0.25 * bump(h, 15, 2.5);
    table[i] = v;
    sum += v;
  }
  for (let i = 0; i < n; i++) table[i] = (table[i] ?? 1) / (sum / n);
  table[n] = table[0] ?? 1;
  return table;
}

/** Diurnal factor at a moment (mean 1 over a day), linear between quarter hours. */
export function diurnalFactor(timeMs: number): number {
  const x = localHour(timeMs) * DIURNAL_STEPS_PER_HOUR;
  const i = Math.floor(x);
  const f = x - i;
  return (DIURNAL_TABLE[i] ?? 1) * (1 - f) + (DIURNAL_TABLE[i + 1] ?? 1) * f;
}
