/**
 * `airbox bench sim`: can one simulator process carry a city-sized fleet? This process runs
 * the fleet; a separate `airbox serve` (broker + worker + SQLite) receives it, so the CPU and
 * memory measured here are the simulator's alone.
 *
 * 1. Real time: N boxes (default 15,000), one report a minute each, every box on its own
 *    MQTT connection; after all are connected, CPU and RSS over a window.
 * 2. Fast: the same fleet at 60× or `fastSpeed` (60× makes a 60 s interval one reading per
 *    box per second),
 *    readings acknowledged by the server per second.
 * 3. Alone: the same fleet into in-memory links, readings made per CPU second — what the
 *    simulator could drive if the receiver kept up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSimWorld,
  Fleet,
  worldSource,
  type Credentials,
  type FleetOptions,
  type FleetProgress,
  type Link,
} from '@airbox/firmware-sim';
import { waitForLogin } from '@airbox/testkit';
import { sampleProcess } from './proc.ts';
import { startServe, stop } from './process.ts';

export const SIM_TARGETS = {
  boxes: 15_000,
  realtimeCpuCores: 1,
  realtimeRssBytes: 1024 * 1024 * 1024,
  fastReadingsPerS: 15_000,
} as const;

export interface SimBenchOptions {
  /** How to run `airbox`, e.g. [process.execPath, '/…/bin/airbox.js']. */
  airbox: string[];
  devices: number;
  /** Seconds of each measurement window. */
  windowS: number;
  /** Fresh credentials for the boxes and the reference service account, in `dataDir`. */
  provision: (dataDir: string, ids: string[]) => Promise<Map<string, Credentials>>;
  progress: (message: string) => void;
  /**
   * Extra `airbox serve` flags for the receiver, e.g. the stream handoff
   * (`--redis URL --handoff stream`): the broker acknowledges once a message is in the Redis
   * stream and the workers store it later, so the fast phase measures what the simulator
   * drives rather than what one process can store.
   */
  serveArgs?: string[];
  /** Time compression of the fast phase (default 60: N boxes make N readings/s). */
  fastSpeed?: number;
}

/**
 * In the fast phase each box sends what it made in the last few seconds as one batch (the
 * native protocol's backfill message): at 60× that is ~4 readings a message, so the broker
 * handles a quarter of the messages for the same readings.
 */
const FAST_BATCH_S = 4;

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cores used over `seconds` by a process.cpuUsage() difference. */
const cpuCores = (u: NodeJS.CpuUsage, seconds: number) =>
  round((u.user + u.system) / 1e6 / seconds);

async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`bench sim: timed out waiting for ${what}`);
    await sleep(250);
  }
}

export async function runSimBench(o: SimBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-sim-bench-'));
  const dataDir = join(dir, 'serve');
  const serve = await startServe(o, dataDir, o.serveArgs ?? []);
  try {
    const { base, startMs } = await placeFleet(o, dataDir, serve.port);
    const watch: ProgressWatch = { latest: null };
    const realtime = await measureRealtime(o, base, startMs, watch);
    const fast = await measureFast(o, base, serve.child.pid!, watch);
    const alone = await measureAlone(o, base);
    return simResult(o, { alone, realtime, fast });
  } finally {
    await stop(serve.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What every fleet of the bench shares: the boxes, the broker and their logins. */
type FleetBase = Pick<FleetOptions, 'source' | 'broker' | 'credentials' | 'service' | 'format'>;

/**
 * The latest progress report of a networked fleet. The real-time and the fast phase share
 * one, as they did when they were one function: the fast phase's first wait can read the
 * real-time fleet's last report until the fast fleet reports (progressMs).
 */
interface ProgressWatch {
  latest: FleetProgress | null;
}

/** Places the boxes and provisions their credentials (and the reference's) on the server. */
async function placeFleet(o: SimBenchOptions, dataDir: string, port: number) {
  o.progress(`placing ${o.devices} boxes and provisioning their credentials…`);
  const startMs = Date.now();
  const world = createSimWorld({ seed: 1, boxes: o.devices, startMs });
  const source = worldSource(world);
  const creds = await o.provision(dataDir, [
    ...source.boxes.map((b) => b.deviceId),
    'sim-reference',
  ]);
  // Issued beside the running server: its broker takes them at its registry view's next
  // poll. The reference's login is issued last, so once it is taken, all are.
  const reference = creds.get('sim-reference');
  if (reference) await waitForLogin(`mqtt://127.0.0.1:${port}`, reference);
  const base: FleetBase = {
    source,
    broker: { host: '127.0.0.1', port },
    credentials: (id: string) => creds.get(id) ?? null,
    service: creds.get('sim-reference') ?? null,
    format: 'native',
  };
  return { base, startMs };
}

/** 1. Real time: every box connected, then the simulator's CPU and RSS over the window. */
async function measureRealtime(
  o: SimBenchOptions,
  base: FleetBase,
  startMs: number,
  watch: ProgressWatch,
) {
  const fleet = new Fleet({
    ...base,
    speed: 1,
    startMs,
    durationMs: null,
    onProgress: (p) => (watch.latest = p),
    progressMs: 1000,
  }).start();
  o.progress(`real time: connecting ${o.devices} boxes…`);
  const connectStart = Date.now();
  // Outages would take boxes offline during the window; count only boxes meant to be up.
  await waitUntil(
    'every box to connect',
    () => watch.latest !== null && watch.latest.connected + watch.latest.inOutage >= o.devices,
    300_000,
  );
  const connectS = (Date.now() - connectStart) / 1000;
  o.progress(
    `real time: ${o.devices} boxes connected in ${round(connectS, 1)} s; measuring ${o.windowS} s…`,
  );
  const cpu0 = process.cpuUsage();
  const acked0 = fleet.progress.readingsAcked;
  const t0 = Date.now();
  await sleep(o.windowS * 1000);
  const cpu1 = process.cpuUsage(cpu0);
  const elapsedS = (Date.now() - t0) / 1000;
  const rt = sampleProcess(process.pid);
  const result = {
    boxes: o.devices,
    connectS: round(connectS, 1),
    windowS: round(elapsedS, 1),
    readingsAckedPerS: round((fleet.progress.readingsAcked - acked0) / elapsedS, 1),
    expectedPerS: round(o.devices / 60, 1),
    cpuCores: cpuCores(cpu1, elapsedS),
    rssBytes: rt.rssBytes,
    peakRssBytes: rt.peakRssBytes,
    droppedReadings: fleet.progress.droppedReadings,
  };
  o.progress('real time: stopping (boxes publish offline status)…');
  await fleet.stop();
  return result;
}

/** 2. Fast: the same fleet compressed in time, readings the server acknowledged a second. */
async function measureFast(
  o: SimBenchOptions,
  base: FleetBase,
  serverPid: number,
  watch: ProgressWatch,
) {
  const speed = o.fastSpeed ?? 60;
  o.progress(
    `fast: the same fleet at ${speed}×, each box sending a batch every ${FAST_BATCH_S} s, for ${o.windowS} s…`,
  );
  const fleet = startFastFleet(o, base, speed, watch);
  // Readings made while boxes were still connecting go out as backfill batches: measure
  // once that backlog is gone, so the rate is the steady one.
  await waitUntil(
    'the fast fleet to connect and catch up',
    () =>
      watch.latest !== null &&
      watch.latest.connected >= o.devices * 0.9 &&
      watch.latest.backlog < o.devices,
    300_000,
  );
  const acked0 = fleet.progress.readingsAcked;
  const cpu0 = process.cpuUsage();
  const server0 = sampleProcess(serverPid);
  const f0 = Date.now();
  await sleep(o.windowS * 1000);
  const elapsedS = (Date.now() - f0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const server1 = sampleProcess(serverPid);
  const result = {
    speed,
    generatedPerS: Math.round((o.devices * speed) / 60),
    readingsAckedPerS: Math.round((fleet.progress.readingsAcked - acked0) / elapsedS),
    cpuCores: cpuCores(cpu, elapsedS),
    serverCpuCores: round((server1.cpuS - server0.cpuS) / elapsedS),
    batchEveryS: FAST_BATCH_S,
    backlogAtEnd: fleet.progress.backlog,
    droppedReadings: fleet.progress.droppedReadings,
  };
  await fleet.stop();
  return result;
}

/** The fleet at `speed`, each box sending a batch every FAST_BATCH_S real seconds. */
function startFastFleet(o: SimBenchOptions, base: FleetBase, speed: number, watch: ProgressWatch) {
  const fastStart = Date.now();
  return new Fleet({
    ...base,
    speed,
    messageGapMs: FAST_BATCH_S * 1000,
    // Long enough that sim time stays behind the wall clock through connect and window.
    startMs: fastStart - (o.windowS + 300) * speed * 1000,
    durationMs: (o.windowS + 300) * speed * 1000,
    onProgress: (p) => (watch.latest = p),
    progressMs: 1000,
  }).start();
}

/**
 * 3. The simulator alone: the same fleet into in-memory links that acknowledge at once, as
 * fast as it can make readings — what it could drive into a faster receiver.
 */
async function measureAlone(o: SimBenchOptions, base: FleetBase) {
  o.progress('alone: the same fleet into in-memory links, as fast as it goes…');
  const instant: Link = {
    state: 'open',
    inFlight: 0,
    publish: () => Promise.resolve(),
    end: () => undefined,
    drop: () => undefined,
  };
  const aloneStart = Date.now() - 3600_000;
  const alone = new Fleet({
    ...base,
    speed: 'max',
    startMs: aloneStart,
    durationMs: 15 * 60_000,
    connect: () => Promise.resolve(instant),
    service: null,
  }).start();
  const cpu0 = process.cpuUsage();
  const a0 = Date.now();
  const done = await alone.done;
  const aloneS = (Date.now() - a0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    readings: done.readingsMade,
    readingsPerS: Math.round(done.readingsMade / aloneS),
    cpuMicrosPerReading: round((cpu.user + cpu.system) / done.readingsMade, 1),
    readingsPerCpuS: Math.round(done.readingsMade / ((cpu.user + cpu.system) / 1e6)),
  };
}

interface SimPhases {
  alone: Awaited<ReturnType<typeof measureAlone>>;
  realtime: Awaited<ReturnType<typeof measureRealtime>>;
  fast: Awaited<ReturnType<typeof measureFast>>;
}

/** The result object: the three phases and how each compares with its target. */
function simResult(o: SimBenchOptions, { alone, realtime, fast }: SimPhases) {
  return {
    receiver: o.serveArgs?.includes('stream') ? ('stream handoff' as const) : ('embedded' as const),
    alone,
    realtime,
    fast,
    targets: {
      realtimeCpuMet: realtime.cpuCores < SIM_TARGETS.realtimeCpuCores,
      realtimeRssMet: realtime.peakRssBytes < SIM_TARGETS.realtimeRssBytes,
      fastRateMet: fast.readingsAckedPerS >= SIM_TARGETS.fastReadingsPerS,
      aloneRateMet: alone.readingsPerCpuS >= SIM_TARGETS.fastReadingsPerS,
    },
    node: process.version,
  };
}
