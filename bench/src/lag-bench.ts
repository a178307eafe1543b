/**
 * `airbox bench lag`: a real `airbox serve` on a history of many boxes, taking a steady
 * 1,000 readings a second while each heavy job runs in turn (lag/jobs.ts), then flooded by
 * boxes publishing as fast as it acknowledges. For each: serve's own event-loop delay p99,
 * PUBLISH → PUBACK p99 (the PUBACK comes once the reading is stored) and /healthz.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollHealth, type HealthSeen } from './attack/watch.ts';
import { fillHistory, type History } from './lag/history.ts';
import {
  FULL_LAG_SIZES,
  JOBS,
  type Job,
  type JobContext,
  type JobOutcome,
  type LagSizes,
} from './lag/jobs.ts';
import { saturate, steadyLoad, type Connected, type LoadSeen } from './lag/load.ts';
import { readMetrics, watchServe, type ServeSeen } from './lag/watch.ts';
import { startServeWithDefaults, stop } from './process.ts';
import { RawPublisher } from './raw-client.ts';

export { FULL_LAG_SIZES, type LagSizes } from './lag/jobs.ts';

/** The budget (event-loop budget). */
export const LAG_TARGETS = {
  lagP99Ms: 50,
  publishP99Ms: 100,
  saturatedHealthzP99Ms: 1000,
} as const;

/** serve's lag statistics cover its last 5–10 s: a job is measured once the last one's are out. */
const SETTLE_MS = 10_000;

export interface LagPhase {
  job: Job['name'];
  scale: string;
  load: LoadSeen;
  serve: ServeSeen;
  health: HealthSeen;
  outcome: JobOutcome;
  withinTarget: boolean;
}

export interface SaturatedPhase {
  scale: string;
  load: LoadSeen;
  serve: ServeSeen;
  health: HealthSeen;
  /** Times serve paused ingest for its loop, and for how long in all, during the flood. */
  pauses: number;
  pausedS: number;
  withinTarget: boolean;
}

export interface LagBenchResult {
  bench: 'lag';
  targets: typeof LAG_TARGETS;
  sizes: LagSizes;
  history: { rows: number; stations: number; fillS: number };
  phases: LagPhase[];
  saturated: SaturatedPhase;
  targetsMet: boolean;
  node: string;
}

export interface LagBenchOptions {
  airbox: string[];
  sizes?: Partial<LagSizes>;
  /** Wait before each job after the first, with ingest on (default 10 s, serve's lag window). */
  settleMs?: number;
  progress: (message: string) => void;
}

/** serve's JSON log lines, and waits for an event among them. */
function logWatch() {
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  return {
    onStderr(chunk: string) {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts)
        if (l.startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
    },
    async event(events: readonly string[]): Promise<Record<string, unknown>> {
      for (;;) {
        const line = lines.find((l) => events.includes(String(l['event'])));
        if (line !== undefined) return line;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };
}

export async function runLagBench(o: LagBenchOptions): Promise<LagBenchResult> {
  const sizes = { ...FULL_LAG_SIZES, ...o.sizes };
  const dir = mkdtempSync(join(tmpdir(), 'airbox-lag-'));
  try {
    o.progress(`filling ${sizes.boxes} boxes × ${sizes.days} days of minute readings…`);
    const history = await fillHistory(dir, { ...sizes, nowMs: Date.now() }, o.progress);
    o.progress(`history: ${history.rows} readings in ${history.fillS.toFixed(0)} s`);
    const logs = logWatch();
    const serve = await startServeWithDefaults(
      o,
      dir,
      ['--rate', '1000000', '--max-connections-per-address', '0'],
      process.env,
      (chunk) => logs.onStderr(chunk),
    );
    try {
      const ctx: JobContext = {
        http: serve.ports.http,
        dataDir: dir,
        airbox: o.airbox,
        history,
        sizes,
        logEvent: (events) => logs.event(events),
      };
      return await measure(o, ctx, serve.ports.mqtt, serve.child.pid!);
    } finally {
      await stop(serve.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function connect(mqttPort: number, history: History, n: number): Promise<Connected[]> {
  return Promise.all(
    history.logins.slice(0, n).map(async (login, i) => ({
      box: history.boxes[i]!,
      publisher: await RawPublisher.open(mqttPort, login.deviceId, login.username, login.password),
    })),
  );
}

async function measure(
  o: LagBenchOptions,
  ctx: JobContext,
  mqttPort: number,
  pid: number,
): Promise<LagBenchResult> {
  const { sizes, history } = ctx;
  const boxes = await connect(mqttPort, history, Math.min(sizes.connections, history.boxes.length));
  const load = steadyLoad(boxes, sizes.ratePerS);
  const phases: LagPhase[] = [];
  try {
    for (const job of JOBS) {
      // The refit started with serve: it is measured from now, the others after a settle.
      if (job.name !== 'refit') await new Promise((r) => setTimeout(r, o.settleMs ?? SETTLE_MS));
      o.progress(`${job.name}: ${job.scale(sizes, history)}`);
      phases.push(await measureJob(ctx, job, load, pid));
    }
  } finally {
    load.stop();
  }
  await new Promise((r) => setTimeout(r, 2000));
  o.progress(
    `saturating: ${boxes.length} boxes, ${sizes.saturateInFlight} PUBLISHes in flight each, ${sizes.saturateS} s`,
  );
  const saturated = await measureSaturated(ctx, boxes, pid);
  for (const b of boxes) b.publisher.close();
  return {
    bench: 'lag',
    targets: LAG_TARGETS,
    sizes: { ...sizes, connections: boxes.length },
    history: { rows: history.rows, stations: history.stations, fillS: Math.round(history.fillS) },
    phases,
    saturated,
    targetsMet: phases.every((p) => p.withinTarget) && saturated.withinTarget,
    node: process.version,
  };
}

async function measureJob(
  ctx: JobContext,
  job: Job,
  load: ReturnType<typeof steadyLoad>,
  pid: number,
): Promise<LagPhase> {
  load.mark();
  const watch = watchServe(ctx.http, pid);
  const health = pollHealth(ctx.http);
  const outcome = await job.run(ctx);
  const serve = await watch.stop();
  const seenLoad = load.seen();
  return {
    job: job.name,
    scale: job.scale(ctx.sizes, ctx.history),
    load: seenLoad,
    serve,
    health: await health.stop(),
    outcome,
    withinTarget:
      serve.lagP99Ms < LAG_TARGETS.lagP99Ms && seenLoad.p99Ms < LAG_TARGETS.publishP99Ms,
  };
}

async function measureSaturated(
  ctx: JobContext,
  boxes: Connected[],
  pid: number,
): Promise<SaturatedPhase> {
  const { sizes } = ctx;
  const before = await readMetrics(ctx.http);
  const watch = watchServe(ctx.http, pid);
  const health = pollHealth(ctx.http);
  const load = await saturate(boxes, sizes.saturateInFlight, sizes.saturateS * 1000);
  const serve = await watch.stop();
  const seenHealth = await health.stop();
  const after = await readMetrics(ctx.http);
  return {
    scale: `${boxes.length} boxes, ${sizes.saturateInFlight} PUBLISHes unacknowledged each, ${sizes.saturateS} s`,
    load,
    serve,
    health: seenHealth,
    pauses: (after?.pauses ?? NaN) - (before?.pauses ?? NaN),
    pausedS: Math.round(((after?.pausedS ?? NaN) - (before?.pausedS ?? NaN)) * 10) / 10,
    withinTarget:
      seenHealth.failures === 0 && seenHealth.p99LatencyMs < LAG_TARGETS.saturatedHealthzP99Ms,
  };
}
