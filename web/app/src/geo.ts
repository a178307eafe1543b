import type { Station } from './api.ts';

const EARTH_RADIUS_M = 6_371_008.8; // IUGG mean radius

/** Great-circle distance (haversine) in metres between two WGS 84 points. */
export function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a =
    Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** A station farther than this is not "beside" a box: the comparison would mislead. */
export const MAX_STATION_DISTANCE_M = 30_000;

export function nearestStation(
  stations: readonly Station[],
  lat: number | null,
  lon: number | null,
): { station: Station; distanceM: number } | null {
  if (lat === null || lon === null) return null;
  let best: { station: Station; distanceM: number } | null = null;
  for (const station of stations) {
    const d = distanceM(lat, lon, station.lat, station.lon);
    if (best === null || d < best.distanceM) best = { station, distanceM: d };
  }
  return best !== null && best.distanceM <= MAX_STATION_DISTANCE_M ? best : null;
}

/** Taiwan with Penghu, Kinmen and Matsu: [west, south, east, north]. */
export const TAIWAN_BBOX = [118.1, 21.8, 122.1, 26.4] as const;
