import type { Surface } from './types.ts';

/** A Surface as JSON can carry it: NaN (masked) becomes null, values to 0.1 µg/m³. */
export interface SurfaceJson extends Omit<Surface, 'values' | 'sigma' | 'bbox'> {
  bbox: [west: number, south: number, east: number, north: number];
  /** Row-major, row 0 north, column 0 west; null = masked. */
  values: (number | null)[];
  sigma: (number | null)[] | null;
}

// 0.1 µg/m³ is finer than any sensor's resolution and keeps a 512² grid near 1.5 MB.
const tenth = (v: number) => (Number.isNaN(v) ? null : Math.round(v * 10) / 10);

export function surfaceJson(s: Surface): SurfaceJson {
  return {
    ...s,
    bbox: [...s.bbox],
    values: Array.from(s.values, tenth),
    sigma: s.sigma ? Array.from(s.sigma, tenth) : null,
  };
}
