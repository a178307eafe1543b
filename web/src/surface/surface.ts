import { gridGeometry } from './grid.ts';
import { idwGrid } from './idw.ts';
import { krigeGrid } from './kriging-grid.ts';
import { leaveOneOutPrepared, type LooResult } from './loo.ts';
import {
  neighboursFor,
  parseSurfaceOptions,
  SURFACE_DEFAULTS,
  type SurfaceOptions,
  type SurfaceOptionsInput,
} from './options.ts';
import { preparePoints, type PreparedPoints } from './points.ts';
import { buildIndex, type SpatialIndex } from './spatial-index.ts';
import type { Surface, SurfaceMethod, SurfacePoint, VariogramModel } from './types.ts';
import { empiricalVariogram } from './variogram.ts';
import { fitVariogram } from './variogram-fit.ts';

/** Everything a surface and its leave-one-out share: points, index, variogram. */
interface Prepared {
  o: SurfaceOptions;
  pts: PreparedPoints;
  ix: SpatialIndex;
  /** null for IDW, and for kriging of a constant field. */
  variogram: VariogramModel | null;
  variogramNote: string | null;
  /** PM2.5 is not negative: estimates are clamped to 0 unless the inputs go below it. */
  floor: number;
}

function isConstant(v: Float64Array): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v) [lo, hi] = [Math.min(lo, x), Math.max(hi, x)];
  return hi - lo <= 1e-9 * Math.max(1, Math.abs(hi));
}

function extentDiagonalM(pts: PreparedPoints): number {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < pts.count; i++) {
    [x0, x1] = [Math.min(x0, pts.xM[i] ?? 0), Math.max(x1, pts.xM[i] ?? 0)];
    [y0, y1] = [Math.min(y0, pts.yM[i] ?? 0), Math.max(y1, pts.yM[i] ?? 0)];
  }
  return Math.hypot(x1 - x0, y1 - y0);
}

/** Fits the variogram; uses every pair when fewer than 3 lag bins lie within maxLagM. */
function variogramFor(
  pts: PreparedPoints,
  o: SurfaceOptions,
): { model: VariogramModel | null; note: string | null } {
  if (isConstant(pts.value))
    return { model: null, note: 'constant-field: every point has the same value; sigma is 0' };
  const bins = (lagM: number) =>
    empiricalVariogram(pts, lagM, o.variogramBins, SURFACE_DEFAULTS.variogramSampleMax, o.seed);
  let lag = bins(o.maxLagM);
  let note: string | null = null;
  if (lag.length < 3) {
    const allM = extentDiagonalM(pts) * 1.001;
    lag = bins(allM);
    note = `sparse-points: fewer than 3 lag bins within ${o.maxLagM} m; fitted on all pairs (up to ${Math.round(allM)} m)`;
  }
  const fit = fitVariogram(lag);
  if (fit.nugget + fit.psill <= 0)
    return { model: null, note: 'constant-field: zero semivariance; sigma is 0' };
  return {
    model: { model: fit.model, nugget: fit.nugget, psill: fit.psill, rangeM: fit.rangeM },
    note,
  };
}

function minimum(v: Float64Array): number {
  let lo = Infinity;
  for (const x of v) lo = Math.min(lo, x);
  return lo;
}

function prepare(points: readonly SurfacePoint[], options: SurfaceOptionsInput): Prepared {
  const o = parseSurfaceOptions(options);
  const pts = preparePoints(points, o.mergeDistanceM);
  const ix = buildIndex(pts.xM, pts.yM);
  const { model, note } =
    o.method === 'kriging' ? variogramFor(pts, o) : { model: null, note: null };
  return {
    o,
    pts,
    ix,
    variogram: model,
    variogramNote: note,
    floor: Math.min(0, minimum(pts.value)),
  };
}

function loo(p: Prepared, sampleMax: number): LooResult {
  return leaveOneOutPrepared(p.pts, p.ix, {
    method: p.o.method,
    power: p.o.power,
    neighbours: neighboursFor(p.o),
    searchRadiusM: p.o.searchRadiusM,
    maskDistanceM: p.o.maskDistanceM,
    variogram: p.variogram,
    floor: p.floor,
    sampleMax,
    seed: p.o.seed,
  });
}

/**
 * Leave-one-out error of `method` on these points (at most `sampleMax` of them, a
 * deterministic sample), with the options a surface would use.
 */
export function leaveOneOut(
  points: readonly SurfacePoint[],
  method: SurfaceMethod,
  options: SurfaceOptionsInput = {},
  sampleMax: number = SURFACE_DEFAULTS.looSampleMax,
): LooResult {
  return loo(prepare(points, { ...options, method }), sampleMax);
}

function idwSurface(p: Prepared, g: ReturnType<typeof gridGeometry>) {
  const o = p.o;
  const settings = {
    power: o.power,
    neighbours: neighboursFor(o),
    searchRadiusM: o.searchRadiusM,
    maskDistanceM: o.maskDistanceM,
  };
  const r = idwGrid(p.pts, p.ix, g, settings);
  const params = {
    method: 'idw' as const,
    ...settings,
    pointsUsed: p.pts.count,
    pointsMerged: p.pts.merged,
  };
  return { values: r.values, sigma: null, painted: r.painted, params };
}

function krigingSurface(p: Prepared, g: ReturnType<typeof gridGeometry>) {
  const o = p.o;
  const settings = {
    neighbours: neighboursFor(o),
    maskDistanceM: o.maskDistanceM,
    maxSigmaFraction: o.maxSigmaFraction,
    floor: p.floor,
  };
  const base = {
    method: 'kriging' as const,
    variogramNote: p.variogramNote,
    neighbours: settings.neighbours,
    maskDistanceM: o.maskDistanceM,
    maxSigmaFraction: o.maxSigmaFraction,
    pointsUsed: p.pts.count,
    pointsMerged: p.pts.merged,
  };
  if (p.variogram === null) {
    // No spatial variance to model: the field is its (single) value wherever a box is near.
    const r = idwGrid(p.pts, p.ix, g, {
      power: 2,
      neighbours: 1,
      searchRadiusM: Infinity,
      maskDistanceM: o.maskDistanceM,
    });
    const sigma = r.values.map((v) => (Number.isNaN(v) ? NaN : 0));
    const variogram = { model: 'exponential' as const, nugget: 0, psill: 0, rangeM: 0 };
    return {
      values: r.values,
      sigma,
      painted: r.painted,
      params: { ...base, variogram, tiles: r.tiles, singularTilesIdw: 0 },
    };
  }
  const r = krigeGrid(p.pts, p.ix, g, p.variogram, settings);
  const params = {
    ...base,
    variogram: p.variogram,
    tiles: r.tiles,
    singularTilesIdw: r.singularTiles,
  };
  return { values: r.values, sigma: r.sigma, painted: r.painted, params };
}

/**
 * The interpolated PM2.5 surface of `points` (calibrated, QC-passed, outdoor readings) on a
 * grid, with its leave-one-out error. Throws SurfaceError for unusable input.
 */
export function computeSurface(
  points: readonly SurfacePoint[],
  options: SurfaceOptionsInput = {},
  now: () => number = () => performance.now(),
): Surface {
  const startMs = now();
  const p = prepare(points, options);
  const g = gridGeometry(
    p.pts,
    { bbox: p.o.bbox, width: p.o.width, height: p.o.height },
    p.o.maskDistanceM,
  );
  const s = p.o.method === 'idw' ? idwSurface(p, g) : krigingSurface(p, g);
  const l = loo(p, p.o.looSampleMax);
  return {
    bbox: g.bbox,
    width: g.width,
    height: g.height,
    values: s.values,
    sigma: s.sigma,
    method: p.o.method,
    params: s.params,
    looRmse: l.rmse,
    looMae: l.mae,
    looBias: l.bias,
    looN: l.n,
    cellsPainted: s.painted,
    computedMs: now() - startMs,
  };
}
