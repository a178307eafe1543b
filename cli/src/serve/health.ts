/**
 * Box health in `airbox serve`: every --health-every seconds (default 300) the health task
 * judges every box in a task thread from the store's hourly roll-up; once an hour the run
 * includes the slow detectors (drift, indoor-like) over 14 days, whose findings the fast
 * runs in between carry. The latest judgement is kept in memory for the API and written to
 * <data-dir>/health.json, so a restart serves the last one until the next run.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BoxHealth, HealthProblem, HealthSnapshot } from '@airbox/contracts';
import { slowProblems, SLOW_WINDOW_HOURS, type DeviceHealth } from '@airbox/health';
import { storeValues } from '../store-options.ts';
import type { TaskRunner } from '../tasks/index.ts';
import type { ServeBase, ServeData } from './ingest.ts';
import { nonNegative } from './options.ts';

const FAST_WINDOW_HOURS = 48;
const SLOW_EVERY_MS = 3_600_000;
const FILE = 'health.json';

export interface HealthChecks {
  snapshot(): HealthSnapshot;
  /** The boxes of the latest judgement found `faulty`: left out of the surface. */
  faultyIds(): ReadonlySet<string>;
  /** Runs one evaluation now (tests, the demo once its history is in). */
  runNow(): Promise<void>;
  stop(): void;
}

interface State {
  snapshot: HealthSnapshot;
  faulty: ReadonlySet<string>;
  carried: Map<string, HealthProblem[]>;
  lastSlowMs: number | null;
  running: Promise<void> | null;
}

/** The judgement persisted by the last run, or an empty one. */
function loadSnapshot(path: string): HealthSnapshot {
  try {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as {
      version: number;
      byDevice: [string, BoxHealth][];
    };
    return { version: saved.version, byDevice: new Map(saved.byDevice) };
  } catch {
    return { version: 0, byDevice: new Map() };
  }
}

function saveSnapshot(path: string, s: HealthSnapshot): void {
  // Written aside and renamed: a crash mid-write leaves the previous file whole.
  writeFileSync(`${path}.tmp`, JSON.stringify({ version: s.version, byDevice: [...s.byDevice] }));
  renameSync(`${path}.tmp`, path);
}

function faultyOf(s: HealthSnapshot): ReadonlySet<string> {
  return new Set([...s.byDevice].flatMap(([id, h]) => (h.status === 'faulty' ? [id] : [])));
}

/** The registry's part of the task input: indoor boxes and registered positions. */
function registryInput(data: ServeData) {
  const registered: [string, number, number][] = [];
  for (const d of data.view.list()) {
    if (d.lat !== null && d.lon !== null) registered.push([d.deviceId, d.lat, d.lon]);
  }
  return { indoorIds: [...data.view.indoorDeviceIds()], registered };
}

async function evaluate(base: ServeBase, data: ServeData, tasks: TaskRunner, state: State) {
  const nowMs = base.io.now();
  const slow = state.lastSlowMs === null || nowMs - state.lastSlowMs >= SLOW_EVERY_MS;
  const started = performance.now();
  const results: DeviceHealth[] = await tasks.run('health', {
    nowMs,
    dataDir: base.dataDir,
    store: storeValues(base.v),
    hours: slow ? SLOW_WINDOW_HOURS : FAST_WINDOW_HOURS,
    slow,
    ...registryInput(data),
    carried: [...state.carried],
  });
  if (slow) {
    state.lastSlowMs = nowMs;
    state.carried = slowProblems(results);
  }
  state.snapshot = {
    version: state.snapshot.version + 1,
    byDevice: new Map(results.map((r) => [r.deviceId, r.health])),
  };
  state.faulty = faultyOf(state.snapshot);
  saveSnapshot(join(base.dataDir, FILE), state.snapshot);
  const faulty = results.filter((r) => r.health.status === 'faulty').length;
  const suspect = results.filter((r) => r.health.status === 'suspect').length;
  const ms = Math.round(performance.now() - started);
  base.log('health', { boxes: results.length, faulty, suspect, slow, durationMs: ms });
}

/** The health checks, unless --no-health. */
export function startHealthChecks(
  base: ServeBase,
  data: ServeData,
  tasks: TaskRunner,
): HealthChecks | null {
  if (base.v['no-health']) return null;
  const everyMs = 1000 * nonNegative('health-every', base.v['health-every'], 300);
  const saved = loadSnapshot(join(base.dataDir, FILE));
  const state: State = {
    snapshot: saved,
    faulty: faultyOf(saved),
    carried: new Map(),
    lastSlowMs: null,
    running: null,
  };
  const runNow = () => {
    // One run at a time: a tick while one is under way waits for it instead.
    state.running ??= evaluate(base, data, tasks, state)
      .catch((e: unknown) => base.log('health-failed', { error: (e as Error).message }))
      .finally(() => (state.running = null));
    return state.running;
  };
  const first = setTimeout(() => void runNow(), Math.min(everyMs, 5_000));
  const timer = everyMs > 0 ? setInterval(() => void runNow(), everyMs) : null;
  timer?.unref();
  first.unref();
  return {
    snapshot: () => state.snapshot,
    faultyIds: () => state.faulty,
    runNow,
    stop: () => {
      clearTimeout(first);
      if (timer !== null) clearInterval(timer);
    },
  };
}
