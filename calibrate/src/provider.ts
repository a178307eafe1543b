import { IDENTITY_MODEL, type CalibrationModel, type Reading } from '@airbox/contracts';
import { nearestStation } from '@airbox/geo';
import { epaBarkjohn2021 } from './models/index.ts';
import type { ModelRecord, ModelRegistry } from './registry.ts';
import { stationsFromRegistry, type Station } from './stations.ts';

// The US-wide correction needs RH and was derived on PurpleAir CF=1; AirBox raw is CF=ATM
// (see README, "Raw is CF=1"), so it is the last fitted-free resort, not a local model.
const EPA_PROFILE = epaBarkjohn2021.fit([]);
const EPA_MODEL: CalibrationModel = {
  id: epaBarkjohn2021.id,
  apply: (r) => EPA_PROFILE.apply(r),
};

export const DEFAULT_POLL_MS = 10_000;
/** A model trained on data that ended more than this before now is stale. */
export const DEFAULT_STALE_AFTER_MS = 3 * 86_400_000;
/** Farther from every station than this, a reading belongs to no region. */
export const DEFAULT_MAX_REGION_DISTANCE_M = 50_000;

export interface ProviderOptions {
  pollMs?: number;
  staleAfterMs?: number;
  now?: () => number;
  stations?: readonly Station[];
  maxRegionDistanceM?: number;
  /** Called when a reload fails; the models loaded before stay in use. */
  onError?: (error: unknown) => void;
}

interface Loaded {
  model: CalibrationModel;
  trainedToMs: number;
}

interface Models {
  version: number;
  device: Map<string, Loaded>;
  region: Map<string, Loaded>;
  global: Loaded | null;
  /** Active models that could not be rebuilt (unknown method, bad params), and why. */
  errors: { id: string; message: string }[];
}

function load(registry: ModelRegistry): Models {
  const version = registry.version();
  const models: Models = {
    version,
    device: new Map(),
    region: new Map(),
    global: null,
    errors: [],
  };
  for (const record of registry.active()) {
    let loaded: Loaded;
    try {
      loaded = toLoaded(registry, record);
    } catch (e) {
      models.errors.push({ id: record.id, message: e instanceof Error ? e.message : String(e) });
      continue;
    }
    if (record.scope === 'device') models.device.set(record.scopeKey, loaded);
    else if (record.scope === 'region') models.region.set(record.scopeKey, loaded);
    else models.global = loaded;
  }
  return models;
}

function toLoaded(registry: ModelRegistry, record: ModelRecord): Loaded {
  const profile = registry.profile(record);
  // The registry id, not the method's: it names exactly which fit produced the value.
  return {
    model: { id: record.id, apply: (r) => profile.apply(r) },
    trainedToMs: Date.parse(record.trainedTo),
  };
}

export interface RegistryProvider {
  /** The CalibrationProvider the worker calls for each reading. */
  provider: (reading: Reading) => CalibrationModel;
  /** Reloads the active models now; returns the registry version loaded. */
  reload: () => number;
  /** Active models that could not be loaded at the last reload. */
  errors: () => { id: string; message: string }[];
  stop: () => void;
}

/**
 * The fallback chain, first usable wins: the device's own model if fresh → its region's
 * (county of the station nearest the reading) if fresh → the global fitted model if fresh
 * → epa-barkjohn-2021@1 → identity. A model is usable for a reading when it returns a value
 * for it (the EPA correction needs RH), so the model id stored names the one that produced
 * the value. The registry's change counter is polled every `pollMs`; a change swaps the
 * models in memory without recreating the provider.
 */
type Near = { station: Station; distanceM: number } | null;
const MAX_CACHED_POSITIONS = 100_000;

/**
 * The station nearest each box's position, for its region. Boxes rarely move: the 77
 * distances are computed once per position, and the cache is bounded.
 */
function regionLookup(stations: readonly Station[], maxRegionM: number) {
  const regions = new Map<string, { lat: number; lon: number; near: Near }>();
  return (reading: Reading): Near => {
    if (reading.lat === null || reading.lon === null) return null;
    const known = regions.get(reading.deviceId);
    if (known !== undefined && known.lat === reading.lat && known.lon === reading.lon) {
      return known.near;
    }
    const near = nearestStation({ lat: reading.lat, lon: reading.lon }, stations, maxRegionM);
    if (regions.size >= MAX_CACHED_POSITIONS) regions.clear();
    regions.set(reading.deviceId, { lat: reading.lat, lon: reading.lon, near });
    return near;
  };
}

/** The first model of the chain that calibrates the reading (see registryProvider). */
function firstUsable(reading: Reading, chain: readonly (CalibrationModel | null)[]) {
  for (const model of chain) {
    if (model === null) continue;
    // Without a raw value nothing can calibrate it: the first fresh model stands.
    if (reading.pm25UgM3 === null || model.apply(reading) !== null) return model;
  }
  return IDENTITY_MODEL;
}

export function registryProvider(
  registry: ModelRegistry,
  options: ProviderOptions = {},
): RegistryProvider {
  const now = options.now ?? Date.now;
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  const regionOf = regionLookup(
    options.stations ?? stationsFromRegistry(),
    options.maxRegionDistanceM ?? DEFAULT_MAX_REGION_DISTANCE_M,
  );
  let models = load(registry);
  const reload = (): number => {
    models = load(registry);
    return models.version;
  };
  const timer = setInterval(() => {
    try {
      if (registry.version() !== models.version) reload();
    } catch (e) {
      options.onError?.(e);
    }
  }, options.pollMs ?? DEFAULT_POLL_MS);
  timer.unref();

  const fresh = (m: Loaded | null | undefined, nowMs: number) =>
    m !== null && m !== undefined && nowMs - m.trainedToMs <= staleAfterMs ? m.model : null;
  const provider = (reading: Reading): CalibrationModel => {
    const nowMs = now();
    const region = regionOf(reading);
    return firstUsable(reading, [
      fresh(models.device.get(reading.deviceId), nowMs),
      fresh(region ? models.region.get(region.station.county) : null, nowMs),
      fresh(models.global, nowMs),
      EPA_MODEL,
    ]);
  };
  return { provider, reload, errors: () => models.errors, stop: () => clearInterval(timer) };
}
