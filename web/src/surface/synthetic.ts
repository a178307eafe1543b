import { seededRandom } from './random.ts';
import type { SurfacePoint } from './types.ts';

/**
 * Synthetic boxes placed like Taiwan's AirBox network — clustered in the western cities,
 * thin in the east — and a PM2.5 field over them with a known covariance, for the bench
 * and the tests. A city's weight is the number of boxes nearest to it among the 510 in
 * Taiwan in the March 2017 extract (../shared/data/airbox-2017-03, Chen et al. 2017,
 * IEEE Access 5:14441), at least 1.
 */
const CITIES: readonly (readonly [lat: number, lon: number, weight: number, spreadKm: number])[] = [
  [25.04, 121.55, 28, 5], // Taipei
  [25.01, 121.46, 42, 9], // New Taipei
  [25.13, 121.74, 1, 4], // Keelung
  [24.99, 121.3, 1, 9], // Taoyuan
  [24.8, 120.97, 1, 7], // Hsinchu
  [24.56, 120.82, 2, 8], // Miaoli
  [24.15, 120.67, 157, 9], // Taichung
  [24.08, 120.54, 16, 8], // Changhua
  [23.91, 120.69, 5, 8], // Nantou
  [23.71, 120.43, 2, 10], // Yunlin
  [23.48, 120.45, 22, 8], // Chiayi
  [23.0, 120.21, 116, 10], // Tainan
  [22.63, 120.3, 97, 10], // Kaohsiung
  [22.67, 120.49, 19, 8], // Pingtung
  [24.75, 121.75, 1, 6], // Yilan
  [23.98, 121.6, 1, 5], // Hualien
  [22.76, 121.14, 1, 5], // Taitung
];

const KM_PER_DEG_LAT = 111.195;
const LAT0 = 23.7;
const KM_PER_DEG_LON = KM_PER_DEG_LAT * Math.cos((LAT0 * Math.PI) / 180);

function normal(random: () => number): number {
  // Box–Muller
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** n box locations (lat, lon), deterministic for a seed. */
export function taiwanLikeSites(n: number, seed: number): { lat: number; lon: number }[] {
  const random = seededRandom(seed);
  const total = CITIES.reduce((s, c) => s + c[2], 0);
  const sites = [];
  for (let i = 0; i < n; i++) {
    let pick = random() * total;
    const city = CITIES.find((c) => (pick -= c[2]) <= 0) ?? CITIES[0];
    if (!city) break;
    // A tenth of the boxes sit in towns around the city, farther out.
    const spreadKm = city[3] * (random() < 0.1 ? 4 : 1);
    sites.push({
      lat: city[0] + (normal(random) * spreadKm) / KM_PER_DEG_LAT,
      lon: city[1] + (normal(random) * spreadKm) / KM_PER_DEG_LON,
    });
  }
  return sites;
}

export interface FieldSpec {
  meanUgM3: number;
  /** Standard deviation of the correlated part (√psill). */
  sigmaUgM3: number;
  /** 'exponential': C(h) = σ²·exp(−3h/range) (range = practical range); 'gaussian': exp(−3h²/range²). */
  covariance: 'exponential' | 'gaussian';
  rangeM: number;
  /** Standard deviation of independent noise per box (√nugget). */
  noiseUgM3: number;
  seed: number;
}

/**
 * A stationary Gaussian field by random Fourier features (Rahimi & Recht 2007): with
 * frequencies drawn from the covariance's spectral density, √(2/M)·Σ cos(ω·x + b) has that
 * covariance. The exponential's 2-D spectral density is a bivariate Student t with one
 * degree of freedom (ω = g / (ℓ|n|), g ~ N(0, I), n ~ N(0, 1)); the Gaussian's is normal.
 */
export function syntheticField(spec: FieldSpec): (lat: number, lon: number) => number {
  const random = seededRandom(spec.seed);
  const features = 400;
  const wx = new Float64Array(features);
  const wy = new Float64Array(features);
  const phase = new Float64Array(features);
  for (let m = 0; m < features; m++) {
    const ell = spec.covariance === 'exponential' ? spec.rangeM / 3 : spec.rangeM / Math.sqrt(6);
    const scale =
      spec.covariance === 'exponential' ? 1 / (ell * Math.abs(normal(random))) : 1 / ell;
    wx[m] = normal(random) * scale;
    wy[m] = normal(random) * scale;
    phase[m] = random() * 2 * Math.PI;
  }
  const amp = spec.sigmaUgM3 * Math.sqrt(2 / features);
  return (lat, lon) => {
    const x = (lon - 121) * KM_PER_DEG_LON * 1000;
    const y = (lat - LAT0) * KM_PER_DEG_LAT * 1000;
    let s = 0;
    for (let m = 0; m < features; m++)
      s += Math.cos((wx[m] ?? 0) * x + (wy[m] ?? 0) * y + (phase[m] ?? 0));
    return spec.meanUgM3 + amp * s;
  };
}

/** Boxes with values of a field plus independent noise. */
export function syntheticPoints(
  sites: readonly { lat: number; lon: number }[],
  spec: FieldSpec,
): SurfacePoint[] {
  const field = syntheticField(spec);
  const random = seededRandom(spec.seed + 1);
  return sites.map(({ lat, lon }) => ({
    lat,
    lon,
    value: field(lat, lon) + spec.noiseUgM3 * normal(random),
  }));
}
