/**
 * The surface the API serves: computed from the newest calibrated, QC-trusted box readings
 * (reference stations excluded: they are drawn on their own), and recomputed only when a
 * reading arrived since — a map polling every minute costs one computation per change, not
 * one per viewer. Boxes carry no indoor/outdoor marker yet, so indoor boxes are not left out.
 */
import { pm25Trusted } from '@airbox/protocol';
import type { ReadingStore } from '@airbox/store';
import { ApiError } from './errors.ts';
import type { SurfaceQuery } from './query.ts';
import {
  computeSurface,
  SurfaceError,
  surfaceJson,
  type SurfaceJson,
  type SurfacePoint,
} from './surface/index.ts';

export interface SurfaceServiceOptions {
  now?: () => number;
  /** Readings older than this are not part of "now" (default 2 h). */
  maxAgeMs?: number;
  /** Fewest boxes a surface is drawn from (default 5). */
  minBoxes?: number;
  /** Distinct queries kept (bbox, size, method); the oldest goes first. */
  maxCached?: number;
}

export function surfaceService(store: ReadingStore, o: SurfaceServiceOptions = {}) {
  const now = o.now ?? Date.now;
  const maxAgeMs = o.maxAgeMs ?? 2 * 3600_000;
  const minBoxes = o.minBoxes ?? 5;
  const maxCached = o.maxCached ?? 32;
  const cache = new Map<string, { version: string; surface: SurfaceJson }>();

  return async (q: SurfaceQuery): Promise<SurfaceJson> => {
    const readings = await store.latest({ kind: 'box', sinceMs: now() - maxAgeMs });
    const points: SurfacePoint[] = [];
    let newest = '';
    for (const r of readings) {
      const value = r.pm25CalibratedUgM3 ?? r.pm25UgM3;
      if (r.lat === null || r.lon === null || value === null || !pm25Trusted(r.flags)) continue;
      points.push({ lat: r.lat, lon: r.lon, value });
      if (r.receivedAt > newest) newest = r.receivedAt;
    }
    if (points.length < minBoxes) {
      throw new ApiError(
        503,
        'too-few-boxes',
        `${points.length} boxes reported a trusted PM2.5 in the last ${maxAgeMs / 60_000} min; a surface needs ${minBoxes}`,
      );
    }
    const key = JSON.stringify([q.method, q.bbox ?? null, q.size ?? null]);
    const version = `${points.length}/${newest}`;
    const hit = cache.get(key);
    if (hit?.version === version) return hit.surface;
    let surface: SurfaceJson;
    try {
      const b = q.bbox;
      surface = surfaceJson(
        computeSurface(points, {
          method: q.method,
          bbox: b === undefined ? undefined : [b.west, b.south, b.east, b.north],
          width: q.size,
          height: q.size,
        }),
      );
    } catch (e) {
      if (e instanceof SurfaceError) throw new ApiError(400, 'bad-query', e.message);
      throw e;
    }
    cache.delete(key);
    cache.set(key, { version, surface });
    if (cache.size > maxCached) cache.delete(cache.keys().next().value!);
    return surface;
  };
}
