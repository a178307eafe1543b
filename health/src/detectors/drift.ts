/**
 * `drift`: over days the box's ratio to its neighbours moves steadily one way (ageing,
 * dust on the optics: deSouza et al. 2023). The ratio to each neighbour is taken per day
 * (the median of the hours both have), its log fitted by a Theil–Sen line (robust to a few
 * odd days), and the box's own share of those slopes solved for over the whole network.
 *
 * Not against the reference station: a box's ratio to a station's dry mass swings with
 * humidity (hygroscopic growth the box sees and the station's heated inlet does not), and
 * on the simulator's fleets a humid week made co-located boxes look 20–40 % drifted. That
 * comparison needs the humidity-aware calibration models first.
 */
import { distanceM } from '@airbox/geo/distance';
import type { Neighbours } from '../neighbours.ts';
import { HOUR_MS, type BoxSeries } from '../series.ts';
import { medianOf, theilSenSlope } from '../robust.ts';
import { fmt, type Finding } from './finding.ts';

export const DRIFT = {
  /** Days with a ratio the fit needs. */
  minDays: 6,
  /** Hours a day both the box and its reference must have. */
  minHoursPerDay: 12,
  /** The reference's daily mean must reach this, µg/m³ (ratios of near-zero air are noise). */
  minRefUgM3: 3,
  /** The fitted change across the window that counts as drift (±, as a share). */
  minChange: 0.18,
  /** Hours below this at either box are left out of the ratio, µg/m³. */
  minHourUgM3: 8,
  /**
   * Only neighbours this close are compared: on the simulator's fleets a pair's 13-day
   * slope errs by a median 1.4 % within 1 km, 3.4 % within 3 km, 4.9 % within 8 km and
   * 9.6 % (p90 26 %) within 20 km, where local sources differ.
   */
  maxPairM: 8_000,
  /** Neighbour pairs a box needs to be judged. */
  minPairs: 3,
  /** Rounds of the network solution; it settles within a few. */
  rounds: 8,
} as const;

/**
 * The PMS5003's CF=1 mass from its atmospheric ("ATM") value, which AirBoxes report: equal
 * up to 30 µg/m³, then ATM grows slower, settling at two thirds of CF=1 above 100 µg/m³
 * (Wallace et al. 2021, Atmos. Environ. 256:118432). A sensitivity change scales CF=1; in
 * ATM it shows compressed above 30 µg/m³, so ratios are taken in CF=1.
 */
export function atmToCf1(atmUgM3: number): number {
  const knee = 200 / 3;
  if (atmUgM3 <= 30) return atmUgM3;
  if (atmUgM3 >= knee) return (atmUgM3 * 3) / 2;
  return 30 + (atmUgM3 - 30) * (70 / (knee - 30));
}

/**
 * Per whole day of the grid (counted from its end), the median over the hours of
 * log(a / b): a median, so a plume at one of the two weighs one hour, not a day.
 */
function dailyLogRatios(a: Float64Array, b: Float64Array, hours: number, scratch: Float64Array) {
  const days: number[] = [];
  const logs: number[] = [];
  const totalDays = Math.floor(hours / 24);
  for (let d = 0; d < totalDays; d++) {
    const from = hours - (totalDays - d) * 24;
    let n = 0;
    let refSum = 0;
    for (let h = from; h < from + 24; h++) {
      const x = a[h] ?? NaN;
      const y = b[h] ?? NaN;
      // A unit's fixed zero offset (~1 µg/m³) would swing the ratio of clean hours.
      if (!(x >= DRIFT.minHourUgM3) || !(y >= DRIFT.minHourUgM3)) continue;
      scratch[n++] = Math.log(atmToCf1(x) / atmToCf1(y));
      refSum += y;
    }
    if (n < DRIFT.minHoursPerDay || refSum / n < DRIFT.minRefUgM3) continue;
    days.push(d);
    logs.push(medianOf(scratch, n));
  }
  return { days, logs };
}

interface PairFit {
  other: number;
  /** d/dt of log(box / other), per day. */
  slopePerDay: number;
  firstDay: number;
  span: number;
}

function pairFit(a: Float64Array, b: Float64Array, hours: number, scratch: Float64Array) {
  const { days, logs } = dailyLogRatios(a, b, hours, scratch);
  const first = days[0];
  const last = days.at(-1);
  if (days.length < DRIFT.minDays || first === undefined || last === undefined) return null;
  return { slopePerDay: theilSenSlope(days, logs), firstDay: first, span: last - first };
}

/** Each box's own drift, log per day, against the network; NaN where it could not be told. */
export interface DriftSolution {
  slopePerDay: Float64Array;
  firstDay: Int32Array;
  span: Int32Array;
  pairs: Int32Array;
}

/**
 * Every box's drift at once. Against one neighbour, a box's log ratio slope is its drift
 * minus the neighbour's; neighbours drift too, so each box's own drift is solved for by
 * iterating d_i ← median_j (s_ij + d_j) over its neighbour pairs (a robust form of the
 * network's relative calibration), then centred so the network as a whole is taken not to
 * drift. Boxes in `excluded` (indoor-like, or faulty) are neither judged nor used.
 */
export function solveDrift(
  boxes: readonly BoxSeries[],
  neighbours: readonly Neighbours[],
  hours: number,
  excluded: ReadonlySet<number>,
): DriftSolution {
  const scratch = new Float64Array(24);
  const fits: PairFit[][] = boxes.map((box, i) => {
    if (excluded.has(i)) return [];
    return (neighbours[i]?.indexes ?? []).flatMap((j) => {
      const other = boxes[j];
      if (other === undefined || excluded.has(j)) return [];
      if (distanceM(box, other) > DRIFT.maxPairM) return [];
      const fit = pairFit(box.pm25, other.pm25, hours, scratch);
      return fit === null ? [] : [{ other: j, ...fit }];
    });
  });
  const d = new Float64Array(boxes.length);
  const work = new Float64Array(64);
  for (let round = 0; round < DRIFT.rounds; round++) {
    fits.forEach((pairs, i) => {
      pairs.forEach((p, k) => (work[k] = p.slopePerDay + (d[p.other] ?? 0)));
      d[i] = pairs.length > 0 ? medianOf(work, pairs.length) : 0;
    });
  }
  const judged = fits.flatMap((pairs, i) => (pairs.length > 0 ? [d[i] ?? 0] : []));
  const centre = medianOf(Float64Array.from(judged), judged.length) || 0;
  const out: DriftSolution = {
    slopePerDay: new Float64Array(boxes.length).fill(NaN),
    firstDay: new Int32Array(boxes.length),
    span: new Int32Array(boxes.length),
    pairs: new Int32Array(boxes.length),
  };
  fits.forEach((pairs, i) => {
    if (pairs.length < DRIFT.minPairs) return;
    out.slopePerDay[i] = (d[i] ?? 0) - centre;
    out.firstDay[i] = Math.min(...pairs.map((p) => p.firstDay));
    out.span[i] = Math.max(...pairs.map((p) => p.span));
    out.pairs[i] = pairs.length;
  });
  return out;
}

/** The drift finding of box i from the solution, when the change reaches DRIFT.minChange. */
export function driftFinding(solution: DriftSolution, i: number, hours: number): Finding | null {
  const slope = solution.slopePerDay[i] ?? NaN;
  const span = solution.span[i] ?? 0;
  const change = Math.exp(slope * span) - 1;
  if (!(Math.abs(change) >= DRIFT.minChange)) return null;
  const totalDays = Math.floor(hours / 24);
  return {
    code: 'drift',
    sinceHour: Math.max(0, hours - (totalDays - (solution.firstDay[i] ?? 0)) * 24),
    detail: `reads ${fmt(100 * Math.abs(change))} % ${change > 0 ? 'higher' : 'lower'} against ${solution.pairs[i]} neighbours than ${span} days ago`,
  };
}

/** The window the slow detectors need, hours (14 days). */
export const SLOW_WINDOW_HOURS = 14 * 24;
export const SLOW_WINDOW_MS = SLOW_WINDOW_HOURS * HOUR_MS;
