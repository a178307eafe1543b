/**
 * `fog`: the latest readings were taken above 95 % RH, where water taken up by the particles
 * makes an optical sensor read high and non-linearly (κ-Köhler growth; Crilley et al. 2018,
 * AMT 11:709; the RH effect turns non-linear above ~50 %, Mathieu-Campbell et al. 2024).
 * The same threshold as the `humidity-high` QC flag.
 */
import type { BoxContext } from '../context.ts';
import { fmt, type Finding } from './finding.ts';

export const FOG_RH_PCT = 95;

export function detectFog(c: BoxContext): Finding | null {
  const rh = c.box.humidityPct;
  let first = -1;
  let peak = 0;
  for (let h = c.grid.hours - 1; h >= 0; h--) {
    if ((c.box.count[h] ?? 0) === 0) continue;
    const v = rh[h] ?? NaN;
    if (!(v >= FOG_RH_PCT)) break;
    first = h;
    peak = Math.max(peak, v);
  }
  if (first < 0) return null;
  return {
    code: 'fog',
    sinceHour: first,
    detail: `relative humidity ${fmt(peak)} % in the latest ${c.grid.hours - first} hours`,
  };
}
