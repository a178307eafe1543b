import { assertBbox, SURFACE_DEFAULTS } from './options.ts';
import type { PreparedPoints } from './points.ts';
import { toX, toY } from './projection.ts';
import { SurfaceError, type Bbox, type GridSpec } from './types.ts';

/** A grid in projected metres: cell centres at x0M + col·dxM, y0M − row·dyM (row 0 north). */
export interface GridGeometry {
  bbox: Bbox;
  width: number;
  height: number;
  x0M: number;
  y0M: number;
  dxM: number;
  dyM: number;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[sorted.length >> 1] ?? 0;
}

/** [lo, hi] padded by padM, then cut to maxSpanM around the median (outlying boxes abroad). */
function span(values: Float64Array, padM: number, maxSpanM: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  lo -= padM;
  hi += padM;
  if (hi - lo <= maxSpanM) return [lo, hi];
  const mid = median(values);
  return [mid - maxSpanM / 2, mid + maxSpanM / 2];
}

/** The points' extent padded by `padM` (so the masked fringe shows), at most maxSpanM a side. */
export function defaultBbox(points: PreparedPoints, padM: number): Bbox {
  const p = points.projection;
  const [x0, x1] = span(points.xM, padM, SURFACE_DEFAULTS.maxSpanM);
  const [y0, y1] = span(points.yM, padM, SURFACE_DEFAULTS.maxSpanM);
  const clampLat = (lat: number) => Math.max(-90, Math.min(90, lat));
  return [
    p.lon0 + x0 / p.mPerDegLon,
    clampLat(p.lat0 + y0 / p.mPerDegLat),
    p.lon0 + x1 / p.mPerDegLon,
    clampLat(p.lat0 + y1 / p.mPerDegLat),
  ];
}

function assertCells(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 4096) {
    throw new SurfaceError(
      'bad-grid',
      `grid ${name} ${n} is not a whole number of cells in 1…4096`,
    );
  }
}

/** Resolves a grid spec against the points; missing sizes give square cells in metres. */
export function gridGeometry(points: PreparedPoints, spec: GridSpec, padM: number): GridGeometry {
  const bbox = spec.bbox ?? defaultBbox(points, padM);
  assertBbox(bbox);
  const [west, south, east, north] = bbox;
  const p = points.projection;
  const spanXM = toX(p, east) - toX(p, west);
  const spanYM = toY(p, north) - toY(p, south);
  const long = SURFACE_DEFAULTS.longSideCells;
  let width = spec.width;
  let height = spec.height;
  if (width === undefined && height === undefined) {
    width = spanXM >= spanYM ? long : Math.max(1, Math.round((long * spanXM) / spanYM));
    height = spanYM > spanXM ? long : Math.max(1, Math.round((long * spanYM) / spanXM));
  }
  width ??= Math.max(1, Math.round(((height ?? long) * spanXM) / spanYM));
  height ??= Math.max(1, Math.round((width * spanYM) / spanXM));
  assertCells('width', width);
  assertCells('height', height);
  const dxM = spanXM / width;
  const dyM = spanYM / height;
  return {
    bbox,
    width,
    height,
    dxM,
    dyM,
    x0M: toX(p, west) + dxM / 2,
    y0M: toY(p, north) - dyM / 2,
  };
}
