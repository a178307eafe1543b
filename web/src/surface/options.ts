import { z } from 'zod';
import { SurfaceError, type Bbox, type SurfaceMethod } from './types.ts';

/**
 * Defaults, each with its reason.
 * - power 2: Shepard's (1968) inverse-square weighting, the usual IDW baseline.
 * - 12 IDW / 16 kriging neighbours: beyond ~12–16 the farther points get negligible weight
 *   (kriging's screen effect, Stein 2002, Ann. Stat. 30:298) but cost O(k²)–O(k³).
 * - maskDistanceM 5 km: measured on the real AirBox hours of 1–14 March 2017 (all 336
 *   hours, 510 boxes): the leave-one-out IDW error of a box whose nearest other box is
 *   within 5 km is 58–69 % of that hour's spread of readings; from 5 to 10 km it is
 *   87–94 %, i.e. hardly better than the island-wide mean (web/README.md "Surface").
 *   5 km is also ~6 cells of the default Taiwan grid.
 * - maxSigmaFraction 0.7: σ² above about half the sill (0.7² = 0.49) means the estimate
 *   explains less than half the variance of a box reading about the regional mean — the
 *   colour says more about the variogram than about the place. A stricter rule (0.5) masks
 *   speckles between boxes a few km apart wherever the field is rough.
 * - mergeDistanceM 10 m: boxes on one roof report the same air; far below one cell (~0.8 km).
 */
export const SURFACE_DEFAULTS = {
  method: 'idw' as SurfaceMethod,
  power: 2,
  idwNeighbours: 12,
  krigingNeighbours: 16,
  searchRadiusM: 20_000,
  maskDistanceM: 5_000,
  maxSigmaFraction: 0.7,
  mergeDistanceM: 10,
  /** The longer side of a default grid, in cells. */
  longSideCells: 512,
  /** A default bbox never spans more than this (outlying boxes abroad would blow it up). */
  maxSpanM: 600_000,
  variogramBins: 60,
  /** Semivariogram lags up to this (the local kriging uses the short lags). */
  maxLagM: 30_000,
  variogramSampleMax: 1500,
  looSampleMax: 2000,
  seed: 1,
} as const;

const lon = z.number().min(-180).max(180);
const lat = z.number().min(-90).max(90);

/** Surface options as they arrive from outside (an HTTP query, a config file). */
export const surfaceOptionsSchema = z.object({
  method: z.enum(['idw', 'kriging']).default(SURFACE_DEFAULTS.method),
  bbox: z.tuple([lon, lat, lon, lat]).optional(),
  width: z.int().min(1).max(4096).optional(),
  height: z.int().min(1).max(4096).optional(),
  power: z.number().positive().max(8).default(SURFACE_DEFAULTS.power),
  neighbours: z.int().min(1).max(64).optional(),
  searchRadiusM: z.number().positive().default(SURFACE_DEFAULTS.searchRadiusM),
  maskDistanceM: z.number().positive().default(SURFACE_DEFAULTS.maskDistanceM),
  maxSigmaFraction: z.number().positive().default(SURFACE_DEFAULTS.maxSigmaFraction),
  mergeDistanceM: z.number().min(0.001).default(SURFACE_DEFAULTS.mergeDistanceM),
  maxLagM: z.number().positive().default(SURFACE_DEFAULTS.maxLagM),
  variogramBins: z.int().min(4).max(100).default(SURFACE_DEFAULTS.variogramBins),
  looSampleMax: z.int().min(0).default(SURFACE_DEFAULTS.looSampleMax),
  seed: z.int().default(SURFACE_DEFAULTS.seed),
});

/** Options as code passes them (a readonly bbox is fine). */
export type SurfaceOptionsInput = Omit<z.input<typeof surfaceOptionsSchema>, 'bbox'> & {
  bbox?: Bbox;
};
export type SurfaceOptions = z.output<typeof surfaceOptionsSchema>;

/** Parses options, naming each bad field; `{}` gives every default. */
export function parseSurfaceOptions(input: unknown): SurfaceOptions {
  const parsed = surfaceOptionsSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`)
      .join('; ');
    throw new SurfaceError('bad-options', `surface options: ${detail}`);
  }
  const o = parsed.data;
  if (o.bbox) assertBbox(o.bbox);
  return o;
}

export function assertBbox(bbox: Bbox): void {
  const [west, south, east, north] = bbox;
  if (!(west < east && south < north)) {
    throw new SurfaceError(
      'bad-grid',
      `bbox [${bbox.join(', ')}] is empty; give [west, south, east, north] with west < east and south < north`,
    );
  }
}

/** Neighbour count for a method: the option, or the method's default. */
export function neighboursFor(o: SurfaceOptions): number {
  if (o.neighbours !== undefined) return o.neighbours;
  return o.method === 'idw' ? SURFACE_DEFAULTS.idwNeighbours : SURFACE_DEFAULTS.krigingNeighbours;
}
