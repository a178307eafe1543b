/**
 * The simulated world: boxes with their sensor profiles, the true field, the reference
 * network and the fault and outage schedules, all drawn from one seed. Every method is a
 * pure function of its arguments (caches inside only remember pure results), so the
 * runtime may call them in any order, from real-time or fast mode.
 */
import { loadReferenceStations, type ReferenceStation } from '@airbox/geo';
import { resolveSimConfig } from './config-schema.ts';
import type { SensorErrorConfig, SimConfig, SimConfigInput } from './config.ts';
import { TruthField } from './field.ts';
import { indoorTruth } from './indoor.ts';
import { colocatedCount, placeBox } from './placement.ts';
import { ReferenceNetwork } from './reference.ts';
import { streamId, uniform } from './rng.ts';
import { makeProfile, readClimate, senseTruth, type ReadingContext } from './sensor.ts';
import type {
  BoxObservation,
  BoxSpec,
  SimWorld,
  TimeWindow,
  TruthSample,
  WindowKind,
} from './types.ts';
import { runStartAt, windowsBetween, type WindowProcess } from './windows.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const S = {
  indoor: streamId('box:indoor'),
  clock: streamId('box:wrong-clock'),
  outage: streamId('window:outage'),
  fan: streamId('window:fan-failure'),
  stuck: streamId('window:stuck'),
} as const;

export interface SimWorldOptions {
  /** The reference stations; default the bundled MOENV list (`loadReferenceStations()`). */
  stations?: readonly ReferenceStation[];
}

export function createSimWorld(input: SimConfigInput, options: SimWorldOptions = {}): SimWorld {
  const config = resolveSimConfig(input);
  const stations = options.stations ?? loadReferenceStations();
  const field = new TruthField(config.seed, config.field);
  const reference = new ReferenceNetwork(config.seed, stations, config.reference, (lat, lon, t) =>
    field.at(lat, lon, t),
  );
  const schedule = windowSchedule(config);
  const truthAtBox = boxTruth(config, field);
  return {
    config,
    boxes: makeBoxes(config, stations),
    stations,
    truth: (lat, lon, timeMs) => field.at(lat, lon, timeMs),
    truthAtBox,
    observe: boxObserver(config, truthAtBox, schedule),
    online: (box, timeMs) => schedule.runStartAt(box, 'outage', timeMs) === null,
    windows: (box, kind, fromMs, toMs) => schedule.windowsBetween(box, kind, fromMs, toMs),
    referenceHour: (stationId, hourStartMs) => reference.hour(stationId, hourStartMs),
  };
}

type TruthAtBox = (box: BoxSpec, timeMs: number) => TruthSample;

/** Outdoor boxes see the field at their place; indoor ones the indoor version of it. */
function boxTruth(config: SimConfig, field: TruthField): TruthAtBox {
  return (box, timeMs) =>
    box.indoor
      ? indoorTruth(
          config.seed,
          { index: box.index, infiltration: box.profile.infiltration },
          config.errors,
          (t) => field.at(box.lat, box.lon, t),
          timeMs,
        )
      : field.at(box.lat, box.lon, timeMs);
}

function boxObserver(
  config: SimConfig,
  truthAtBox: TruthAtBox,
  schedule: WindowSchedule,
): (box: BoxSpec, timeMs: number) => BoxObservation {
  return (box, timeMs) => {
    const ctx: ReadingContext = {
      seed: config.seed,
      index: box.index,
      startMs: config.startMs,
      errors: config.errors,
    };
    const second = Math.floor(timeMs / 1000);
    if (schedule.runStartAt(box, 'fan-failure', timeMs) !== null) {
      // No airflow, no frames: the PM values are meaningless and the runtime sends nothing.
      const climate = readClimate(box.profile, truthAtBox(box, timeMs), ctx, second);
      return { ...FAN_FAILED, ...climate, counts: { ...FAN_FAILED.counts } };
    }
    const stuckSinceMs = schedule.runStartAt(box, 'stuck', timeMs);
    if (stuckSinceMs !== null) {
      // The PM values freeze at what the sensor read when it got stuck; T/RH live on.
      const frozen = senseTruth(box.profile, truthAtBox(box, stuckSinceMs), stuckSinceMs, ctx);
      const climate = readClimate(box.profile, truthAtBox(box, timeMs), ctx, second);
      return { ...frozen, ...climate, fault: 'stuck' };
    }
    return senseTruth(box.profile, truthAtBox(box, timeMs), timeMs, ctx);
  };
}

interface WindowSchedule {
  runStartAt(box: BoxSpec, kind: WindowKind, timeMs: number): number | null;
  windowsBetween(box: BoxSpec, kind: WindowKind, fromMs: number, toMs: number): TimeWindow[];
}

/** Each box's outage and fault windows, with its own rates from its profile. */
function windowSchedule(config: SimConfig): WindowSchedule {
  const processes = windowProcesses(config.errors);
  const process = (box: BoxSpec, kind: WindowKind): WindowProcess => ({
    ...processes[kind],
    ratePerDay:
      kind === 'outage'
        ? box.profile.outageRatePerDay
        : kind === 'fan-failure'
          ? box.profile.fanFailureRatePerDay
          : box.profile.stuckRatePerDay,
  });
  return {
    runStartAt: (box, kind, timeMs) =>
      runStartAt(config.seed, box.index, process(box, kind), timeMs),
    windowsBetween: (box, kind, fromMs, toMs) =>
      windowsBetween(config.seed, box.index, process(box, kind), fromMs, toMs),
  };
}

const FAN_FAILED: BoxObservation = {
  pm1Cf1: 0,
  pm25Cf1: 0,
  pm10Cf1: 0,
  pm1Atm: 0,
  pm25Atm: 0,
  pm10Atm: 0,
  counts: { gt03um: 0, gt05um: 0, gt10um: 0, gt25um: 0, gt50um: 0, gt100um: 0 },
  temperatureC: 0,
  humidityPct: 0,
  fault: 'fan-failure',
};

/**
 * Duration laws: Wi-Fi outages are mostly short with a long tail (lognormal σ = 1, ≤ 24 h:
 * a backlog the device's offline buffer holds); a failed fan waits days for a visit
 * (σ = 0.8, ≤ 30 days); stuck values last hours (σ = 1, ≤ 3 days). Modelling choices.
 */
function windowProcesses(e: SensorErrorConfig): Record<WindowKind, WindowProcess> {
  return {
    outage: {
      stream: S.outage,
      ratePerDay: 0,
      meanMs: e.outageMeanMin * MINUTE_MS,
      sigmaLog: 1,
      capMs: DAY_MS,
    },
    'fan-failure': {
      stream: S.fan,
      ratePerDay: 0,
      meanMs: e.fanFailureMeanH * HOUR_MS,
      sigmaLog: 0.8,
      capMs: 30 * DAY_MS,
    },
    stuck: {
      stream: S.stuck,
      ratePerDay: 0,
      meanMs: e.stuckMeanH * HOUR_MS,
      sigmaLog: 1,
      capMs: 3 * DAY_MS,
    },
  };
}

/**
 * Boxes beside stations are outdoors with correct clocks (co-location sites are maintained);
 * the indoor and wrong-clock shares apply to the rest.
 */
function makeBoxes(config: SimConfig, stations: readonly ReferenceStation[]): BoxSpec[] {
  const colocated = colocatedCount(config.boxes, stations.length, config.placement);
  const e = config.errors;
  const boxes: BoxSpec[] = [];
  for (let index = 0; index < config.boxes; index++) {
    const placed = placeBox(config.seed, index, stations, config.placement);
    const free = index >= colocated;
    const indoor = free && uniform(config.seed, S.indoor, index) < e.indoorShare;
    const wrongClock = free && uniform(config.seed, S.clock, index) < e.wrongClockShare;
    boxes.push({
      index,
      deviceId: placed.deviceId,
      lat: placed.lat,
      lon: placed.lon,
      indoor,
      nearStationId: placed.nearStationId,
      profile: makeProfile(config.seed, index, e, { indoor, wrongClock, startMs: config.startMs }),
    });
  }
  return boxes;
}
