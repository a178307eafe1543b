/**
 * Where the virtual boxes stand. First `perStation` boxes beside every reference station
 * (within `stationMaxDistanceM`, as the AirBox project co-located two boxes at each of 31
 * EPA stations: LASS AirBox-SiteName-EPA.txt), so calibration has pairs to learn from;
 * then the rest spread over populated places in proportion to population, never in the
 * sea. Box i's place depends only on (seed, i), so adding boxes never moves earlier ones.
 */
import type { ReferenceStation } from '@airbox/geo';
import { KM_PER_DEG_LAT, KM_PER_DEG_LON } from './background.ts';
import type { PlacementConfig } from './config.ts';
import { isInland, isLand } from './land.ts';
import { cumulativeWeights, POPULATED_PLACES } from './places.ts';
import { normal, pickCumulative, streamId, uniform } from './rng.ts';

const STREAM = streamId('placement');
const ATTEMPTS = 40;
/** Co-located boxes stand at least this far from the inlet: a roof has room. */
const MIN_STATION_DISTANCE_M = 20;
const PLACE_CUMULATIVE = cumulativeWeights(POPULATED_PLACES.map((p) => p.populationK));

export interface Placed {
  deviceId: string;
  lat: number;
  lon: number;
  nearStationId: string | null;
}

/** How many of `boxes` are co-located with stations. */
export function colocatedCount(boxes: number, stations: number, p: PlacementConfig): number {
  return Math.min(boxes, stations * p.perStation);
}

export function placeBox(
  seed: number,
  index: number,
  stations: readonly ReferenceStation[],
  p: PlacementConfig,
): Placed {
  const colocated = stations.length * p.perStation;
  if (index < colocated) {
    const station = stations[Math.floor(index / p.perStation)]!;
    return besideStation(seed, index, station, index % p.perStation, p.stationMaxDistanceM);
  }
  return {
    ...scattered(seed, index),
    deviceId: scatteredDeviceId(index - colocated + 1),
    nearStationId: null,
  };
}

/** `sim-00001`, `sim-00002`, …: valid device ids (protocol: [A-Za-z0-9_.:-]{1,64}). */
export function scatteredDeviceId(n: number): string {
  return `sim-${String(n).padStart(5, '0')}`;
}

function besideStation(
  seed: number,
  index: number,
  station: ReferenceStation,
  slot: number,
  maxDistanceM: number,
): Placed {
  // Slots a, b, c, …; station site ids are digits, so the id stays valid.
  const deviceId = `sim-${station.siteId}-${String.fromCharCode(97 + slot)}`;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const distanceKm =
      (MIN_STATION_DISTANCE_M +
        (maxDistanceM - MIN_STATION_DISTANCE_M) * uniform(seed, STREAM, index, attempt, 0)) /
      1000;
    const bearing = 2 * Math.PI * uniform(seed, STREAM, index, attempt, 1);
    const lat = station.lat + (distanceKm * Math.cos(bearing)) / KM_PER_DEG_LAT;
    const lon = station.lon + (distanceKm * Math.sin(bearing)) / KM_PER_DEG_LON;
    if (isLand(lat, lon)) return { deviceId, lat, lon, nearStationId: station.siteId };
  }
  return { deviceId, lat: station.lat, lon: station.lon, nearStationId: station.siteId };
}

/**
 * A populated place by population, then a Gaussian scatter around it; the first draw well
 * inland wins, else the first on land (small islands have no "inland" cells), else the
 * place's own centre (on land by construction of the table).
 */
function scattered(seed: number, index: number): { lat: number; lon: number } {
  const place =
    POPULATED_PLACES[pickCumulative(PLACE_CUMULATIVE, uniform(seed, STREAM, index, -1, 0))]!;
  let fallback: { lat: number; lon: number } | null = null;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const lat =
      place.lat + (place.scatterKm * normal(seed, STREAM, index, attempt, 2)) / KM_PER_DEG_LAT;
    const lon =
      place.lon + (place.scatterKm * normal(seed, STREAM, index, attempt, 3)) / KM_PER_DEG_LON;
    if (isInland(lat, lon)) return { lat, lon };
    if (fallback === null && isLand(lat, lon)) fallback = { lat, lon };
  }
  return fallback ?? { lat: place.lat, lon: place.lon };
}
