/**
 * `airbox bench health`: how well the health engine finds the simulator's faults
 * (precision and recall per problem code over several seeds), and what judging 15,000
 * boxes costs as serve runs it: the fast detectors on 48 h every 5 minutes, the slow ones
 * on 14 days every hour, each after reading its window from the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { MEASURES, measureRecord, type StoredReading } from '@airbox/contracts';
import {
  evaluateHealth,
  HOUR_MS,
  loadHealthInput,
  SLOW_WINDOW_HOURS,
  type BoxSeries,
} from '@airbox/health';
import { openSqliteStore } from '@airbox/store';
import { addScores, FAST_WINDOW_HOURS, scoreFleet, type HealthScore } from './health/score.ts';
import { replicateFleet, simFleet, sliceFleet, type SimFleet } from './health/sim-fleet.ts';

/** The budget: 15,000 boxes judged every 5 minutes at < 10 % of one core. */
export const HEALTH_TARGETS = { boxes: 15_000, everyMs: 5 * 60_000, cpuShare: 0.1 } as const;
const SLOW_EVERY_MS = HOUR_MS;

export interface HealthBenchOptions {
  seeds?: number;
  boxes?: number;
  days?: number;
  /** Boxes of the timing fleet (default 15,000). */
  timingBoxes?: number;
  /** Boxes written to a real SQLite store to time the window reads (scaled to timingBoxes). */
  storeBoxes?: number;
  progress?: (message: string) => void;
}

interface Timing {
  evalCpuMs: number;
  loadCpuMs: number;
  perBoxUs: number;
}

export interface HealthBenchResult {
  bench: 'health';
  seeds: number;
  boxes: number;
  days: number;
  score: HealthScore;
  timing: { boxes: number; fast: Timing; slow: Timing; storeBoxes: number; cpuShare: number };
  targets: typeof HEALTH_TARGETS & { cpuShareMet: boolean };
  cpu: string;
  node: string;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function cpuOf<T>(work: () => T): { ms: number; value: T } {
  const start = cpuMs();
  const value = work();
  return { ms: cpuMs() - start, value };
}

/** The fleet's hourly means as one reading per box-hour, for a real store's roll-up. */
function readingsOf(s: BoxSeries, startMs: number, hours: number): StoredReading[] {
  const out: StoredReading[] = [];
  for (let h = 0; h < hours; h++) {
    const time = new Date(startMs + h * HOUR_MS).toISOString();
    const value = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? null : v);
    out.push({
      deviceId: s.deviceId,
      time,
      receivedAt: time,
      lat: s.lat,
      lon: s.lon,
      ...measureRecord(MEASURES, () => null),
      pm25UgM3: value(s.pm25[h]),
      temperatureC: value(s.temperatureC[h]),
      humidityPct: value(s.humidityPct[h]),
      format: 'native-v1',
      app: null,
      firmware: null,
      flags: [],
      kind: 'box',
      pm25CalibratedUgM3: null,
      calibrationModel: null,
    });
  }
  return out;
}

/** CPU ms to read a window of `hours` for the store's boxes, scaled to `boxes`. */
async function loadCpuMs(fleet: SimFleet, storeBoxes: number, boxes: number) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-health-bench-'));
  const store = openSqliteStore({ path: join(dir, 'readings.db') });
  try {
    for (const s of fleet.series.slice(0, storeBoxes)) {
      await store.write(readingsOf(s, fleet.startMs, fleet.hours));
    }
    const nowMs = fleet.startMs + fleet.hours * HOUR_MS;
    const time = async (hours: number) => {
      const start = cpuMs();
      await loadHealthInput(store, { hours, nowMs });
      return ((cpuMs() - start) * boxes) / Math.min(storeBoxes, fleet.series.length);
    };
    return { fast: await time(FAST_WINDOW_HOURS), slow: await time(SLOW_WINDOW_HOURS) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function timeEngine(fleet: SimFleet, hours: number, slow: boolean): number {
  const input = sliceFleet(fleet, fleet.hours - hours, fleet.hours);
  evaluateHealth(input, { slow }); // warm-up: compiled code, not the first pass, is timed
  const runs = [0, 1, 2].map(() => cpuOf(() => evaluateHealth(input, { slow })).ms);
  return runs.sort((a, b) => a - b)[1] ?? NaN;
}

async function timing(
  options: Required<Omit<HealthBenchOptions, 'progress'>>,
  log: (m: string) => void,
) {
  log(`timing fleet: ${options.timingBoxes} boxes placed by the simulator, 14 days of series`);
  const source = simFleet({ seed: 99, boxes: 400, days: 14, samplesPerHour: 1 });
  const fleet = replicateFleet(source, options.timingBoxes);
  const fastEval = timeEngine(fleet, FAST_WINDOW_HOURS, false);
  const slowEval = timeEngine(fleet, SLOW_WINDOW_HOURS, true);
  log(`store reads: ${options.storeBoxes} boxes in a real SQLite store, scaled`);
  const load = await loadCpuMs(fleet, options.storeBoxes, options.timingBoxes);
  const per = (ms: number) => Math.round((ms * 1000) / options.timingBoxes);
  const fast = {
    evalCpuMs: Math.round(fastEval),
    loadCpuMs: Math.round(load.fast),
    perBoxUs: per(fastEval),
  };
  const slow = {
    evalCpuMs: Math.round(slowEval),
    loadCpuMs: Math.round(load.slow),
    perBoxUs: per(slowEval),
  };
  // Per hour: one slow run and the fast runs of the other 5-minute ticks.
  const fastPerHour = SLOW_EVERY_MS / HEALTH_TARGETS.everyMs - 1;
  const cpuPerHourMs = fastPerHour * (fastEval + load.fast) + slowEval + load.slow;
  return {
    boxes: options.timingBoxes,
    fast,
    slow,
    storeBoxes: options.storeBoxes,
    cpuShare: cpuPerHourMs / SLOW_EVERY_MS,
  };
}

export async function runHealthBench(options: HealthBenchOptions = {}): Promise<HealthBenchResult> {
  const o = {
    seeds: options.seeds ?? 5,
    boxes: options.boxes ?? 400,
    days: options.days ?? 20,
    timingBoxes: options.timingBoxes ?? HEALTH_TARGETS.boxes,
    storeBoxes: options.storeBoxes ?? 500,
  };
  const log = options.progress ?? (() => {});
  let score: HealthScore | null = null;
  for (let seed = 1; seed <= o.seeds; seed++) {
    log(`seed ${seed}: ${o.boxes} boxes × ${o.days} days, faults on`);
    const s = scoreFleet(simFleet({ seed, boxes: o.boxes, days: o.days }));
    score = score === null ? s : addScores(score, s);
  }
  if (score === null) throw new RangeError('bench health needs at least one seed');
  const t = await timing(o, log);
  return {
    bench: 'health',
    seeds: o.seeds,
    boxes: o.boxes,
    days: o.days,
    score,
    timing: t,
    targets: { ...HEALTH_TARGETS, cpuShareMet: t.cpuShare < HEALTH_TARGETS.cpuShare },
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}
