/** How each metric is shown: decimals a reader can compare, the exact value kept beside. */
export const DECIMALS = {
  r2: 3,
  slope: 3,
  rmseUgM3: 2,
  maeUgM3: 2,
  interceptUgM3: 2,
  meanBiasUgM3: 2,
  nrmsePct: 1,
} as const;

export type ShownMetric = keyof typeof DECIMALS;

export function fixed(value: number | null, decimals: number): string {
  return value === null ? '—' : value.toFixed(decimals);
}

/** Plot coordinates: a tenth of a pixel is below what a screen shows. */
export const px = (v: number): string => String(Math.round(v * 10) / 10);
