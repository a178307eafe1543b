/**
 * The surface the API serves: computed from the newest calibrated, QC-trusted box readings
 * (reference stations excluded: they are drawn on their own), and recomputed only when a
 * reading arrived since — a map polling every minute costs one computation per change, not
 * one per viewer. Boxes registered as indoors (`airbox device set ID --indoor`) are left
 * out: they measure a room — outdoor air let in (infiltration factor ~0.3–0.8, Chen & Zhao
 * 2011) plus cooking and other indoor sources — not the outdoor field the surface
 * interpolates, and a kitchen's spike would colour the street around it.
 */
import { pm25Trusted, type StoredReading } from '@airbox/contracts';
import type { ReadingStore } from '@airbox/store';
import { ApiError } from './errors.ts';
import { idsHash } from './placement.ts';
import type { SurfaceQuery } from './query.ts';
import { computeSurfaceHere, type SurfaceCompute } from './surface-compute.ts';
import type { SurfaceJson, SurfacePoint } from './surface/index.ts';

export interface SurfaceServiceOptions {
  now?: () => number;
  /** Readings older than this are not part of "now" (default 2 h). */
  maxAgeMs?: number;
  /** Fewest boxes a surface is drawn from (default 5). */
  minBoxes?: number;
  /** Distinct queries kept (bbox, size, method); the oldest goes first. */
  maxCached?: number;
  /** Ids of the boxes placed indoors (the device registry); left out. Default: none. */
  indoorDevices?: () => ReadonlySet<string>;
  /** Ids of the private boxes; left out too: no public answer tells their values. */
  hiddenDevices?: () => ReadonlySet<string>;
  /**
   * Ids of the boxes the health checks found `faulty` (stuck, dead fan): their PM values are
   * wrong, so they are left out too. Default: none.
   */
  faultyDevices?: () => ReadonlySet<string>;
  /** Where a surface is computed. Default: in this thread (see surface-compute.ts). */
  compute?: SurfaceCompute;
}

const NONE_INDOOR: ReadonlySet<string> = new Set();

/** The points a surface is drawn from: trusted outdoor box readings with a position. */
function surfacePoints(readings: readonly StoredReading[], leftOut: (id: string) => boolean) {
  const points: SurfacePoint[] = [];
  const leftOutIds: string[] = [];
  let newest = '';
  for (const r of readings) {
    const value = r.pm25CalibratedUgM3 ?? r.pm25UgM3;
    if (r.lat === null || r.lon === null || value === null || !pm25Trusted(r.flags)) continue;
    if (leftOut(r.deviceId)) {
      leftOutIds.push(r.deviceId);
      continue;
    }
    points.push({ lat: r.lat, lon: r.lon, value });
    if (r.receivedAt > newest) newest = r.receivedAt;
  }
  // A box moved indoors or out, made private or found faulty changes the points without a
  // new reading.
  const version = `${points.length}/${newest}/${idsHash(leftOutIds)}`;
  return { points, version };
}

/** The surface for a query, computed by `compute`; a bad bbox or size is the client's 400. */
async function computeFor(
  compute: SurfaceCompute,
  points: SurfacePoint[],
  q: SurfaceQuery,
): Promise<SurfaceJson> {
  const outcome = await compute(points, q);
  if ('badQuery' in outcome) throw new ApiError(400, 'bad-query', outcome.badQuery);
  return outcome.surface;
}

export function surfaceService(store: ReadingStore, o: SurfaceServiceOptions = {}) {
  const now = o.now ?? Date.now;
  const maxAgeMs = o.maxAgeMs ?? 2 * 3600_000;
  const minBoxes = o.minBoxes ?? 5;
  const maxCached = o.maxCached ?? 32;
  const indoorDevices = o.indoorDevices ?? (() => NONE_INDOOR);
  const hiddenDevices = o.hiddenDevices ?? (() => NONE_INDOOR);
  const faultyDevices = o.faultyDevices ?? (() => NONE_INDOOR);
  const compute = o.compute ?? computeSurfaceHere;
  // The surface as a promise: viewers asking while it is computed share the one computation.
  const cache = new Map<string, { version: string; surface: Promise<SurfaceJson> }>();

  return async (q: SurfaceQuery): Promise<SurfaceJson> => {
    const readings = await store.latest({ kind: 'box', sinceMs: now() - maxAgeMs });
    const [indoor, hidden, faulty] = [indoorDevices(), hiddenDevices(), faultyDevices()];
    const { points, version } = surfacePoints(
      readings,
      (id) => indoor.has(id) || hidden.has(id) || faulty.has(id),
    );
    if (points.length < minBoxes) {
      throw new ApiError(
        503,
        'too-few-boxes',
        `${points.length} outdoor boxes reported a trusted PM2.5 in the last ${maxAgeMs / 60_000} min; a surface needs ${minBoxes}`,
      );
    }
    const key = JSON.stringify([q.method, q.bbox ?? null, q.size ?? null]);
    const hit = cache.get(key);
    if (hit?.version === version) return hit.surface;
    const entry = { version, surface: computeFor(compute, points, q) };
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > maxCached) cache.delete(cache.keys().next().value!);
    // A failure is not kept: the next request computes again.
    entry.surface.catch(() => {
      if (cache.get(key) === entry) cache.delete(key);
    });
    return entry.surface;
  };
}
