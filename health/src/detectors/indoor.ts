/**
 * `indoor-like`: a box registered outdoors whose day swings much less than the outdoor
 * boxes around it. Indoors, the room damps the outdoor temperature cycle (air conditioning
 * holds ~26 °C) and the walls low-pass and cut the PM that gets in (infiltration factor
 * 0.3–0.8, Chen & Zhao 2011), while cooking adds peaks the street does not see, so the
 * box follows its neighbours poorly. The temperature test comes first (it is sharp); boxes
 * without temperature are judged on their PM correlation alone.
 */
import type { BoxContext } from '../context.ts';
import { correlation } from '../robust.ts';
import type { BoxSeries } from '../series.ts';
import { fmt, type Finding } from './finding.ts';

export const INDOOR = {
  /** Days with at least this many hours of temperature count toward the daily range. */
  minHoursPerDay: 18,
  minDays: 3,
  /** The box's median daily temperature range over its neighbours' below this: indoors. */
  maxRangeRatio: 0.6,
  /** Without temperature: hourly PM correlation with the neighbours' median below this. */
  maxPmCorrelation: 0.35,
  minPmPairs: 96,
} as const;

/** Median over whole days (from the grid's end) of the daily temperature range, °C; NaN if too few. */
export function medianDailyRangeC(series: BoxSeries, hours: number): number {
  const ranges: number[] = [];
  for (let end = hours; end - 24 >= 0; end -= 24) {
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (let h = end - 24; h < end; h++) {
      const t = series.temperatureC[h] ?? NaN;
      if (!Number.isFinite(t)) continue;
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
      n++;
    }
    if (n >= INDOOR.minHoursPerDay) ranges.push(hi - lo);
  }
  if (ranges.length < INDOOR.minDays) return NaN;
  ranges.sort((a, b) => a - b);
  return ranges[ranges.length >> 1] ?? NaN;
}

function neighboursRangeC(c: BoxContext): number {
  const ranges = c.neighbours
    .map((n) => medianDailyRangeC(n, c.grid.hours))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  return ranges.length >= 2 ? (ranges[ranges.length >> 1] ?? NaN) : NaN;
}

export function detectIndoor(c: BoxContext): Finding | null {
  if (c.box.placement !== 'outdoor' || c.neighbours.length === 0) return null;
  const since = c.box.count.findIndex((n) => n > 0);
  const own = medianDailyRangeC(c.box, c.grid.hours);
  const around = neighboursRangeC(c);
  if (Number.isFinite(own) && Number.isFinite(around) && around > 0) {
    const ratio = own / around;
    if (ratio >= INDOOR.maxRangeRatio) return null;
    return {
      code: 'indoor-like',
      sinceHour: Math.max(0, since),
      detail: `its temperature swings ${fmt(own)} °C a day against ${fmt(around)} °C for the outdoor boxes around it`,
    };
  }
  const r = correlation(c.box.pm25, c.refMedian, INDOOR.minPmPairs);
  if (!(r < INDOOR.maxPmCorrelation)) return null;
  return {
    code: 'indoor-like',
    sinceHour: Math.max(0, since),
    detail: `its hourly PM2.5 follows the neighbours' median poorly (correlation ${r.toFixed(2)})`,
  };
}
