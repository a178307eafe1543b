/** One calibrated, QC-passed, outdoor PM2.5 value at a place (WGS84 degrees). */
export interface SurfacePoint {
  lat: number;
  lon: number;
  /** PM2.5 in µg/m³ (calibrated). */
  value: number;
}

/** [west, south, east, north] in degrees. */
export type Bbox = readonly [west: number, south: number, east: number, north: number];

export type SurfaceMethod = 'idw' | 'kriging';

/** The grid a surface is painted on; what is left out comes from the points (see grid.ts). */
export interface GridSpec {
  bbox?: Bbox;
  /** Cells west → east. Default: 512 on the longer side, square cells in metres. */
  width?: number;
  /** Cells north → south. */
  height?: number;
}

export interface IdwParams {
  method: 'idw';
  power: number;
  neighbours: number;
  searchRadiusM: number;
  maskDistanceM: number;
  /** Input points after co-located ones were merged. */
  pointsUsed: number;
  pointsMerged: number;
}

export type VariogramModelName = 'spherical' | 'exponential';

/** A fitted semivariogram; γ(h) = nugget + psill · shape(h / rangeM), γ(0) = 0. */
export interface VariogramModel {
  model: VariogramModelName;
  /** (µg/m³)². */
  nugget: number;
  /** (µg/m³)². */
  psill: number;
  /** Distance at which γ reaches the sill (spherical) or 95 % of it (exponential). */
  rangeM: number;
}

export interface KrigingParams {
  method: 'kriging';
  variogram: VariogramModel;
  /** Why the variogram was not fitted, when it was not (e.g. 'constant-field'). */
  variogramNote: string | null;
  neighbours: number;
  maskDistanceM: number;
  /** A cell is masked when σ > maxSigmaFraction · √(nugget + psill), the sill. */
  maxSigmaFraction: number;
  pointsUsed: number;
  pointsMerged: number;
  /** Neighbour sets shared by blocks of cells (see kriging-grid.ts). */
  tiles: number;
  /** Tiles whose kriging matrix could not be factored, painted by IDW instead. */
  singularTilesIdw: number;
}

/**
 * A gridded surface. Row 0 is the northern row and column 0 the western column, as in an
 * image: cell (col, row) is `values[row * width + col]`, centred at
 * lon = west + (col + 0.5) · (east − west) / width, lat = north − (row + 0.5) · (north − south) / height.
 */
export interface Surface {
  bbox: Bbox;
  width: number;
  height: number;
  /** PM2.5 µg/m³; NaN = masked (too far from any box, or too uncertain). */
  values: Float32Array;
  /**
   * Kriging standard deviation of the mapped PM2.5 in µg/m³, without the nugget (box noise:
   * add it back for what one box placed there would read). NaN where masked or painted
   * by the IDW fallback; null for IDW surfaces.
   */
  sigma: Float32Array | null;
  method: SurfaceMethod;
  params: IdwParams | KrigingParams;
  /** Leave-one-out error of this method on these points (see loo.ts). */
  looRmse: number;
  looMae: number;
  looBias: number;
  looN: number;
  cellsPainted: number;
  computedMs: number;
}

/** Stable codes, one per way the input can be unusable. */
export type SurfaceErrorCode = 'too-few-points' | 'bad-point' | 'bad-grid' | 'bad-options';

/**
 * The message names the input, the problem and what to do instead. A RangeError (out-of-range
 * input, as callers catch it) with CodedError's `code`: a class has one base, not both.
 */
export class SurfaceError extends RangeError {
  readonly code: SurfaceErrorCode;

  constructor(code: SurfaceErrorCode, message: string) {
    super(message);
    this.name = 'SurfaceError';
    this.code = code;
  }
}
