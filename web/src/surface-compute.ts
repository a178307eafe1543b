/**
 * One surface for one query as a function of plain data, so it can run wherever the caller
 * chooses: in the API's own thread (the default) or in a worker thread (`airbox serve`, where
 * a 1024-cell kriging grid would otherwise hold up every other request while it computes).
 * Kept apart from the API (`@airbox/web/surface-compute`) so a worker loads no web server.
 */
import type { SurfaceQuery } from './query.ts';
import {
  computeSurface,
  SurfaceError,
  surfaceJson,
  type SurfaceJson,
  type SurfacePoint,
} from './surface/index.ts';

/** A surface, or why this query cannot have one (the client's 400); plain data both ways. */
export type SurfaceOutcome = { surface: SurfaceJson } | { badQuery: string };

/** Computes the surface of `points` for `query`; its inputs and answer survive structuredClone. */
export type SurfaceCompute = (
  points: SurfacePoint[],
  query: SurfaceQuery,
) => Promise<SurfaceOutcome>;

export function surfaceOutcome(points: SurfacePoint[], q: SurfaceQuery): SurfaceOutcome {
  try {
    const b = q.bbox;
    const surface = computeSurface(points, {
      method: q.method,
      bbox: b === undefined ? undefined : [b.west, b.south, b.east, b.north],
      width: q.size,
      height: q.size,
    });
    return { surface: surfaceJson(surface) };
  } catch (e) {
    if (e instanceof SurfaceError) return { badQuery: e.message };
    throw e;
  }
}

/** The default: in the caller's thread. */
export const computeSurfaceHere: SurfaceCompute = async (points, q) => surfaceOutcome(points, q);
