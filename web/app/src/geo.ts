import { nearestStation, type LatLon } from '@airbox/geo/distance';

/** A station farther than this is not "beside" a box: the comparison would mislead. */
export const MAX_STATION_DISTANCE_M = 30_000;

/** The station nearest a box, when the box has a position and one is within 30 km. */
export function stationBeside<S extends LatLon>(
  stations: readonly S[],
  lat: number | null,
  lon: number | null,
): { station: S; distanceM: number } | null {
  if (lat === null || lon === null) return null;
  return nearestStation({ lat, lon }, stations, MAX_STATION_DISTANCE_M);
}

/** Taiwan with Penghu, Kinmen and Matsu: [west, south, east, north]. */
export const TAIWAN_BBOX = [118.1, 21.8, 122.1, 26.4] as const;
