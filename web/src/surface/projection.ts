/**
 * Distances in metres on an equirectangular projection centred at the points' mean
 * latitude: x = R·cos φ0·Δλ, y = R·Δφ. Over Taiwan's extent (21.9–25.3° N, φ0 ≈ 23.6°) the
 * east–west scale is off by at most ±1.3 % at the northern and southern tips
 * (cos 21.9° / cos 23.6° = 1.013, cos 25.3° / cos 23.6° = 0.987): ~65 m over 5 km, well
 * under one cell of a 512-cell grid. It is not meant for areas hundreds of km tall.
 */
const EARTH_RADIUS_M = 6_371_008.8; // IUGG mean radius
const RAD = Math.PI / 180;

export interface Projection {
  lon0: number;
  lat0: number;
  /** Metres per degree of longitude at lat0, and of latitude. */
  mPerDegLon: number;
  mPerDegLat: number;
}

export function projectionAt(lon0: number, lat0: number): Projection {
  const mPerDegLat = EARTH_RADIUS_M * RAD;
  return { lon0, lat0, mPerDegLat, mPerDegLon: mPerDegLat * Math.cos(lat0 * RAD) };
}

export function toX(p: Projection, lon: number): number {
  return (lon - p.lon0) * p.mPerDegLon;
}

export function toY(p: Projection, lat: number): number {
  return (lat - p.lat0) * p.mPerDegLat;
}
