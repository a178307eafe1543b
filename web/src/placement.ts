/**
 * Where a box stands, as the API tells it: `indoor` on each newest reading and device, and
 * an indoor box's position only on a grid (INDOOR_GRID_DEG; public-view.ts applies it). The
 * device registry holds the placement (ingest/src/registry.ts, `airbox device set`); the API
 * only asks for the ids placed indoors (ApiOptions.indoorDevices). Reference stations are
 * outdoors by definition: they are sited to measure ambient air (in the US, 40 CFR Part 58
 * Appendix E; in Taiwan, MOENV's air-quality monitoring station siting rules).
 */
import type { StoredReading } from '@airbox/contracts';
import type { LiveTransport } from './live/session.ts';

type Placeable = Pick<StoredReading, 'deviceId' | 'kind'>;

export function isIndoor(r: Placeable, indoorIds: ReadonlySet<string>): boolean {
  return r.kind === 'box' && indoorIds.has(r.deviceId);
}

/**
 * The grid an indoor box's position is told on: 0.001° is ~111 m of latitude and ~100 m of
 * longitude in Taiwan. An indoor box stands in a home or a classroom; its neighbourhood is
 * what the map needs, its address is not the public's. Rounding to 3 decimals is snapping
 * to the nearest grid point, so the position told is within ~55 m of the box's.
 */
const GRID_STEPS_PER_DEG = 1000;
export const INDOOR_GRID_DEG = 1 / GRID_STEPS_PER_DEG;

/** A latitude or longitude on the indoor grid (INDOOR_GRID_DEG). */
export function onIndoorGrid(deg: number): number;
export function onIndoorGrid(deg: number | null): number | null;
export function onIndoorGrid(deg: number | null): number | null {
  // Divided by 1000, not multiplied by 0.001: 25041 / 1000 is the double nearest 25.041,
  // so the text of the number has at most 3 decimals.
  return deg === null ? null : Math.round(deg * GRID_STEPS_PER_DEG) / GRID_STEPS_PER_DEG;
}

/** The reading as the public sees it: an indoor box's position on the grid, else itself. */
export function publicReading<R extends Placeable & Pick<StoredReading, 'lat' | 'lon'>>(
  r: R,
  indoorIds: ReadonlySet<string>,
): R {
  if (!isIndoor(r, indoorIds) || (r.lat === null && r.lon === null)) return r;
  return { ...r, lat: onIndoorGrid(r.lat), lon: onIndoorGrid(r.lon) };
}

/** Copies of the readings, each with `indoor`. */
export function withIndoor<R extends Placeable>(
  readings: readonly R[],
  indoorIds: ReadonlySet<string>,
): (R & { indoor: boolean })[] {
  return readings.map((r) => ({ ...r, indoor: isIndoor(r, indoorIds) }));
}

/**
 * The latest answer's ETag, changed also when a box in it moves indoors or out: a polling
 * map sends If-None-Match and would otherwise keep showing a box just moved indoors. An
 * answer with no indoor box keeps the plain tag.
 */
export function etagWithPlacement(
  etag: string,
  readings: readonly { deviceId: string; indoor: boolean }[],
): string {
  const indoor = readings.filter((r) => r.indoor).map((r) => r.deviceId);
  return indoor.length === 0 ? etag : etag.replace(/"$/, `-${idsHash(indoor)}"`);
}

/** A short tag of a list of ids, for cache keys and ETags: FNV-1a, 32 bit, base 36. */
export function idsHash(ids: Iterable<string>): string {
  let hash = 0x811c9dc5;
  for (const id of ids) {
    for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ 0x0a, 0x01000193); // '\n' between ids: ['ab','c'] ≠ ['a','bc']
  }
  return (hash >>> 0).toString(36);
}

/**
 * A live transport whose readings carry `indoor` as the newest readings do: the map takes
 * the live snapshot and tail in place of what it fetched, so without it a box would lose
 * its indoor mark (and be drawn) a moment after the page loaded.
 */
export function placedTransport(
  transport: LiveTransport,
  indoorDevices: () => ReadonlySet<string>,
): LiveTransport {
  return {
    send: (message) =>
      transport.send({ ...message, readings: withIndoor(message.readings, indoorDevices()) }),
    bufferedBytes: () => transport.bufferedBytes(),
    end: (code, reason) => transport.end(code, reason),
    onEnd: (listener) => transport.onEnd(listener),
  };
}
