import { loadReferenceStations, stationDeviceId, type ReferenceStation } from '@airbox/geo';

/** A reference station as pairing and the provider see it. */
export interface Station {
  /** The station's device id in the store: `EPA-<English name>` for MOENV stations. */
  deviceId: string;
  name: string;
  /** County (縣市) of the station: the region whose boxes share a region model. */
  county: string;
  lat: number;
  lon: number;
}

export interface Located {
  deviceId: string;
  lat: number;
  lon: number;
}

// Mean Earth radius (IUGG, 6371.0088 km). The spherical error (< 0.5 %) is metres at the
// kilometre distances pairing works with.
const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;

/** Great-circle distance by the haversine formula (Sinnott 1984, Sky & Telescope 68:159). */
export function haversineM(a: { lat: number; lon: number }, b: { lat: number; lon: number }) {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The nearest station and its distance, or null when there is none within `maxDistanceM`. */
export function nearestStation(
  point: { lat: number; lon: number },
  stations: readonly Station[],
  maxDistanceM = Infinity,
): { station: Station; distanceM: number } | null {
  let best: { station: Station; distanceM: number } | null = null;
  for (const station of stations) {
    const distanceM = haversineM(point, station);
    if (distanceM <= maxDistanceM && (best === null || distanceM < best.distanceM)) {
      best = { station, distanceM };
    }
  }
  return best;
}

/** MOENV stations under the device ids their readings carry (`stationDeviceId`, @airbox/geo). */
export function stationsFromRegistry(
  registry: readonly ReferenceStation[] = loadReferenceStations(),
): Station[] {
  return registry.map((s) => ({
    deviceId: stationDeviceId(s),
    name: s.nameEn,
    county: s.county,
    lat: s.lat,
    lon: s.lon,
  }));
}

/**
 * Adds reference devices found in the store but missing from the station list (a simulated
 * network, a new station), at their reading's position, in the county of the nearest
 * listed station: a region needs a county, and the nearest station's is the best guess.
 */
export function withStoredReferences(
  stations: readonly Station[],
  stored: readonly Located[],
): Station[] {
  const known = new Set(stations.map((s) => s.deviceId));
  const extra = stored
    .filter((r) => !known.has(r.deviceId))
    .map((r) => ({
      deviceId: r.deviceId,
      name: r.deviceId,
      county: nearestStation(r, stations)?.station.county ?? 'unknown',
      lat: r.lat,
      lon: r.lon,
    }));
  return [...stations, ...extra];
}
