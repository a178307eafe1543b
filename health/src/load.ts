/**
 * The engine's input from a store: the latest reading of every box (where it is, what it
 * last said) and the hourly roll-up of the window, by reading time. The window ends at the
 * newest reading time in the store (never after `nowMs`), so a replay of 2017 or a backfill
 * is judged on its own hours, like live data.
 */
import type { StoredReading } from '@airbox/contracts';
import type { ReadingStore } from '@airbox/store';
import {
  gridEnding,
  HOUR_MS,
  seriesFromHourly,
  stationFromHourly,
  type BoxInfo,
} from './series.ts';
import type { HealthInput } from './engine.ts';

export interface LoadOptions {
  /** Hours of roll-up to read: 48 for the fast detectors, SLOW_WINDOW_HOURS for all. */
  hours: number;
  nowMs: number;
  /** Boxes registered indoors (they are judged, never used as outdoor neighbours). */
  indoorIds?: ReadonlySet<string>;
  /** Where boxes were registered on the map: they stand there, and `moved` compares with it. */
  registered?: ReadonlyMap<string, { lat: number; lon: number }>;
}

function infoOf(r: StoredReading, options: LoadOptions): BoxInfo | null {
  const at = options.registered?.get(r.deviceId) ?? (r.lat === null || r.lon === null ? null : r);
  if (at === null || at.lat === null || at.lon === null) return null;
  return {
    deviceId: r.deviceId,
    lat: at.lat,
    lon: at.lon,
    placement: options.indoorIds?.has(r.deviceId) === true ? 'indoor' : 'outdoor',
    latest: { lat: r.lat, lon: r.lon, flags: r.flags },
  };
}

/** The newest reading time among the readings, never after nowMs; nowMs when none. */
function windowEndMs(latest: readonly StoredReading[], nowMs: number): number {
  let newest = -Infinity;
  for (const r of latest) if (r.time !== null) newest = Math.max(newest, Date.parse(r.time));
  return Number.isFinite(newest) ? Math.min(nowMs, newest + 1) : nowMs;
}

export async function loadHealthInput(
  store: ReadingStore,
  options: LoadOptions,
): Promise<HealthInput> {
  const latest = await store.latest({ kind: 'box' });
  const endMs = windowEndMs(latest, options.nowMs);
  const grid = gridEnding(endMs, options.hours);
  const query = { fromMs: grid.startMs, toMs: grid.startMs + grid.hours * HOUR_MS };
  const infos = latest.flatMap((r) => infoOf(r, options) ?? []);
  const rows = await store.hourly({ ...query, deviceIds: infos.map((i) => i.deviceId) });
  const stationReadings = await store.latest({ kind: 'reference' });
  const stationIds = stationReadings.map((s) => s.deviceId);
  const stationRows =
    stationIds.length > 0 ? await store.hourly({ ...query, deviceIds: stationIds }) : [];
  const stations = stationReadings.flatMap((s) =>
    s.lat === null || s.lon === null
      ? []
      : [stationFromHourly({ deviceId: s.deviceId, lat: s.lat, lon: s.lon }, stationRows, grid)],
  );
  return { grid, boxes: seriesFromHourly(infos, rows, grid), stations };
}
