/**
 * A simulated fleet as the health engine sees it: each box's hourly means by reading time,
 * drawn from the fleet simulator's world with its faults switched on, and the truth of each
 * fault beside them. What a virtual box reports is followed closely (virtual-box.ts and
 * virtual-pms.ts): samples through the day, PM rounded to the sensor's whole µg/m³ words,
 * no PM at all while the fan has failed, T/RH always; Wi-Fi outages are left out because
 * the firmware's backlog delivers those readings later under their own reading time.
 */
import {
  createSimWorld,
  type BoxSpec,
  type SimConfigInput,
  type SimWorld,
} from '@airbox/firmware-sim';
import { emptySeries, HOUR_MS, type BoxSeries, type StationSeries } from '@airbox/health';

export interface SimFleetOptions {
  seed: number;
  boxes: number;
  days: number;
  /** Samples averaged into each hour (the firmware's readings in that hour). */
  samplesPerHour?: number;
  startMs?: number;
}

/**
 * Faults switched on well above the field defaults, so a few hundred boxes over three weeks
 * meet enough of each to score: a stuck episode every ~25 days per box (mean 8 h), a fan
 * failure every ~60 days (mean 2 days), sensitivity drift of sd 1.5 %/day, 15 % indoors.
 */
export const FAULTY_ERRORS: NonNullable<SimConfigInput['errors']> = {
  stuckRatePerDay: 0.04,
  stuckMeanH: 8,
  fanFailureRatePerDay: 0.016,
  fanFailureMeanH: 48,
  driftMeanPctPerDay: 0,
  driftSdPctPerDay: 1,
  indoorShare: 0.15,
};

export interface SimFleet {
  world: SimWorld;
  startMs: number;
  hours: number;
  /** Every box's series over the whole span, hour 0 at startMs. */
  series: BoxSeries[];
  stations: StationSeries[];
}

/** The hourly means a virtual box would leave in the store for hour h. */
function fillHour(world: SimWorld, box: BoxSpec, s: BoxSeries, h: number, t0: number, k: number) {
  let pm = 0;
  let pmN = 0;
  let t = 0;
  let rh = 0;
  for (let i = 0; i < k; i++) {
    const o = world.observe(box, t0 + ((i + 0.5) * HOUR_MS) / k);
    if (o.fault !== 'fan-failure') {
      // PMS5003 datasheet: each value is an unsigned 16-bit word of whole µg/m³.
      pm += Math.min(0xffff, Math.max(0, Math.round(o.pm25Atm)));
      pmN++;
    }
    t += o.temperatureC;
    rh += o.humidityPct;
  }
  s.count[h] = k;
  s.pm25[h] = pmN > 0 ? pm / pmN : NaN;
  s.temperatureC[h] = t / k;
  s.humidityPct[h] = rh / k;
}

export function simFleet(options: SimFleetOptions): SimFleet {
  const startMs = options.startMs ?? Date.UTC(2026, 0, 5);
  const hours = options.days * 24;
  const k = options.samplesPerHour ?? 4;
  const world = createSimWorld({
    seed: options.seed,
    startMs,
    boxes: options.boxes,
    errors: FAULTY_ERRORS,
  });
  const grid = { startMs, hours };
  const series = world.boxes.map((box) => {
    // Every simulated box is registered outdoors: the indoor ones are the misplaced boxes.
    const s = emptySeries(
      { deviceId: box.deviceId, lat: box.lat, lon: box.lon, placement: 'outdoor' },
      grid,
    );
    for (let h = 0; h < hours; h++) fillHour(world, box, s, h, startMs + h * HOUR_MS, k);
    return s;
  });
  const near = new Set(world.boxes.flatMap((b) => b.nearStationId ?? []));
  const stations = world.stations
    .filter((st) => near.has(st.siteId))
    .map((st) => {
      const pm25 = new Float64Array(hours);
      for (let h = 0; h < hours; h++) {
        pm25[h] = world.referenceHour(st.siteId, startMs + h * HOUR_MS).pm25UgM3 ?? NaN;
      }
      return { deviceId: `station-${st.siteId}`, lat: st.lat, lon: st.lon, pm25 };
    });
  return { world, startMs, hours, series, stations };
}

/** The part of every series in hours [from, to) of the fleet, as a fresh grid. */
export function sliceFleet(fleet: SimFleet, from: number, to: number) {
  const grid = { startMs: fleet.startMs + from * HOUR_MS, hours: to - from };
  const boxes = fleet.series.map((s) => ({
    ...s,
    count: s.count.subarray(from, to),
    pm25: s.pm25.subarray(from, to),
    temperatureC: s.temperatureC.subarray(from, to),
    humidityPct: s.humidityPct.subarray(from, to),
  }));
  const stations = fleet.stations.map((s) => ({ ...s, pm25: s.pm25.subarray(from, to) }));
  return { grid, boxes, stations };
}

/**
 * A fleet of `boxes` placed as the simulator places them, whose series are the source
 * fleet's taken in turn (each with a gain of its own): for timing, where what matters is
 * how many boxes there are and how densely they stand, not the faults' truth.
 */
export function replicateFleet(source: SimFleet, boxes: number): SimFleet {
  const world = createSimWorld({
    seed: source.world.config.seed + 1,
    startMs: source.startMs,
    boxes,
  });
  const grid = { startMs: source.startMs, hours: source.hours };
  const series = world.boxes.map((box, i) => {
    const from = source.series[i % source.series.length];
    const s = emptySeries(
      { deviceId: box.deviceId, lat: box.lat, lon: box.lon, placement: 'outdoor' },
      grid,
    );
    if (from === undefined) return s;
    const gain = 1 + 0.1 * Math.sin(i);
    s.count.set(from.count);
    s.pm25.set(from.pm25.map((v) => v * gain));
    s.temperatureC.set(from.temperatureC);
    s.humidityPct.set(from.humidityPct);
    return s;
  });
  return { world, startMs: source.startMs, hours: source.hours, series, stations: source.stations };
}
