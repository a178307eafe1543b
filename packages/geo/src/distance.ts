/**
 * Distances on the Earth and the station nearest a point. Pure functions with no Node
 * imports, so the browser app imports this module (`@airbox/geo/distance`) without the
 * station list's file reading.
 */

/** A WGS 84 position in degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * The IUGG mean Earth radius R1 = (2a + b) / 3 of the GRS 80 ellipsoid, 6 371 008.7714 m
 * (Moritz 1980, Geodetic Reference System 1980, Bulletin Géodésique 54:395), to 0.1 m. A sphere errs by < 0.5 % against
 * the ellipsoid: metres at the kilometre distances the network works with.
 */
export const EARTH_MEAN_RADIUS_M = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres, by the haversine formula (Sinnott 1984, Sky & Telescope 68:159). */
export function distanceM(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  // Rounding can push h a hair above 1 for antipodal points; asin would then be NaN.
  return 2 * EARTH_MEAN_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The station nearest `point` and its distance, or null when none is within `maxDistanceM`
 * (any distance by default). Of equally near stations, the first listed.
 */
export function nearestStation<S extends LatLon>(
  point: LatLon,
  stations: readonly S[],
  maxDistanceM = Infinity,
): { station: S; distanceM: number } | null {
  let best: { station: S; distanceM: number } | null = null;
  for (const station of stations) {
    const d = distanceM(point, station);
    if (d <= maxDistanceM && (best === null || d < best.distanceM)) {
      best = { station, distanceM: d };
    }
  }
  return best;
}
