import { projectionAt, toX, toY, type Projection } from './projection.ts';
import { SurfaceError, type SurfacePoint } from './types.ts';

/** Below this many distinct locations neither a variogram nor a useful surface exists. */
export const MIN_POINTS = 5;

/** Points projected to metres, co-located ones merged; parallel arrays for speed. */
export interface PreparedPoints {
  projection: Projection;
  xM: Float64Array;
  yM: Float64Array;
  value: Float64Array;
  count: number;
  /** Input points folded into another one at the same place. */
  merged: number;
}

/** What is wrong with a point, or null. */
function pointProblem(p: SurfacePoint): string | null {
  if (!(Math.abs(p.lat) <= 90)) return `lat ${p.lat} is not a latitude`;
  if (!(Math.abs(p.lon) <= 180)) return `lon ${p.lon} is not a longitude`;
  if (!Number.isFinite(p.value)) return `value ${p.value} is not a finite PM2.5 concentration`;
  return null;
}

// Merge squares (kx, ky) below this in magnitude key a Map by one exact number.
const KEY_HALF = 2 ** 25;

function squareKey(kx: number, ky: number): number | string {
  return Math.abs(kx) < KEY_HALF && Math.abs(ky) < KEY_HALF
    ? (kx + KEY_HALF) * 2 * KEY_HALF + (ky + KEY_HALF)
    : `${kx},${ky}`;
}

/** Throws naming the first bad point; returns the points' mean position. */
function checkedCentre(points: readonly SurfacePoint[]): { lat: number; lon: number } {
  let latSum = 0;
  let lonSum = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const problem = p ? pointProblem(p) : 'missing';
    if (problem !== null || !p) {
      throw new SurfaceError(
        'bad-point',
        `points[${i}]: ${problem}; drop or fix the reading before interpolating`,
      );
    }
    latSum += p.lat;
    lonSum += p.lon;
  }
  return { lat: latSum / points.length, lon: lonSum / points.length };
}

/** Projected points summed per `mergeDistanceM` square: position, value sum and count. */
function mergeSquares(
  points: readonly SurfacePoint[],
  projection: Projection,
  mergeDistanceM: number,
) {
  const slot = new Map<number | string, number>();
  const xM: number[] = [];
  const yM: number[] = [];
  const sum: number[] = [];
  const n: number[] = [];
  for (const p of points) {
    const x = toX(projection, p.lon);
    const y = toY(projection, p.lat);
    const key = squareKey(Math.round(x / mergeDistanceM), Math.round(y / mergeDistanceM));
    const at = slot.get(key);
    if (at === undefined) {
      slot.set(key, xM.length);
      xM.push(x);
      yM.push(y);
      sum.push(p.value);
      n.push(1);
    } else {
      sum[at] = (sum[at] ?? 0) + p.value;
      n[at] = (n[at] ?? 0) + 1;
    }
  }
  return { xM, yM, sum, n };
}

/**
 * Validates, projects and merges points that fall in the same `mergeDistanceM` square
 * (their mean value is kept): two boxes on one roof, or one box listed twice, would
 * otherwise make the kriging matrix singular and weigh that place twice.
 */
export function preparePoints(
  points: readonly SurfacePoint[],
  mergeDistanceM: number,
): PreparedPoints {
  const centre = checkedCentre(points);
  const projection = projectionAt(centre.lon, centre.lat);
  const { xM, yM, sum, n } = mergeSquares(points, projection, mergeDistanceM);
  if (xM.length < MIN_POINTS) {
    throw new SurfaceError(
      'too-few-points',
      `points: ${xM.length} distinct location(s) (of ${points.length} points); a surface needs at least ${MIN_POINTS}`,
    );
  }
  return {
    projection,
    xM: Float64Array.from(xM),
    yM: Float64Array.from(yM),
    value: Float64Array.from(sum, (total, i) => total / (n[i] ?? 1)),
    count: xM.length,
    merged: points.length - xM.length,
  };
}
