/**
 * Smooth random fields in space and time from a handful of random plane waves ("random
 * Fourier features": Rahimi & Recht 2007; the spectral method of Shinozuka & Deodatis
 * 1991). A sum of J cosines with random wave vectors, frequencies and phases is a
 * stationary field whose correlation falls off over the chosen wavelengths, so two boxes
 * 1 km apart see nearly the same value and two boxes 100 km apart do not. Cost: J cosines
 * per evaluation, no state, no grid.
 */
import { KM_PER_DEG_LAT, KM_PER_DEG_LON } from './background.ts';
import { streamId, uniform } from './rng.ts';

export interface WaveSpec {
  /** How many waves; more look more Gaussian (sum of J terms, CLT). */
  count: number;
  /** Standard deviation of the summed field. */
  sd: number;
  /** Shortest and longest wavelength, km (Infinity for a field that is uniform in space). */
  minWavelengthKm: number;
  maxWavelengthKm: number;
  /** Shortest and longest period, days (Infinity for a field that never changes). */
  minPeriodDays: number;
  maxPeriodDays: number;
}

/** Waves flattened into one array: [kLat, kLon, omega, phase] per wave, radians per unit. */
export interface WaveField {
  readonly params: Float64Array;
  readonly amplitude: number;
}

const DAY_MS = 86_400_000;

/** Log-uniform between lo and hi (both > 0; hi may be Infinity → returns Infinity). */
function logUniform(lo: number, hi: number, u: number): number {
  if (!Number.isFinite(lo)) return Infinity;
  if (!Number.isFinite(hi)) return lo / u; // heavy tail toward "uniform" when hi is unbounded
  return lo * Math.pow(hi / lo, u);
}

/** Draws the waves of one named field from the seed. */
export function makeWaveField(seed: number, name: string, spec: WaveSpec): WaveField {
  const stream = streamId(`waves:${name}`);
  const params = new Float64Array(spec.count * 4);
  for (let j = 0; j < spec.count; j++) {
    const wavelengthKm = logUniform(
      spec.minWavelengthKm,
      spec.maxWavelengthKm,
      uniform(seed, stream, j, 0),
    );
    const direction = 2 * Math.PI * uniform(seed, stream, j, 1);
    const periodDays = logUniform(
      spec.minPeriodDays,
      spec.maxPeriodDays,
      uniform(seed, stream, j, 2),
    );
    const k = Number.isFinite(wavelengthKm) ? (2 * Math.PI) / wavelengthKm : 0;
    params[j * 4] = k * Math.sin(direction) * KM_PER_DEG_LAT; // radians per degree of latitude
    params[j * 4 + 1] = k * Math.cos(direction) * KM_PER_DEG_LON; // radians per degree of longitude
    params[j * 4 + 2] = Number.isFinite(periodDays) ? (2 * Math.PI) / (periodDays * DAY_MS) : 0;
    params[j * 4 + 3] = 2 * Math.PI * uniform(seed, stream, j, 3);
  }
  // Each cos term has variance 1/2: scale so the sum has the requested sd.
  return { params, amplitude: spec.count > 0 ? spec.sd * Math.sqrt(2 / spec.count) : 0 };
}

/** The field's value at (lat, lon, time): mean 0, sd `spec.sd`. */
export function waveValue(field: WaveField, lat: number, lon: number, timeMs: number): number {
  const p = field.params;
  // Time relative to 2020 keeps omega·t small enough that cos() stays exact to ~1e-9.
  const t = timeMs - 1_577_836_800_000;
  let sum = 0;
  for (let i = 0; i < p.length; i += 4) {
    sum += Math.cos(
      (p[i] ?? 0) * lat + (p[i + 1] ?? 0) * lon + (p[i + 2] ?? 0) * t + (p[i + 3] ?? 0),
    );
  }
  return sum * field.amplitude;
}
