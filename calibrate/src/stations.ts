import {
  loadReferenceStations,
  nearestStation,
  stationDeviceId,
  type ReferenceStation,
} from '@airbox/geo';

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
