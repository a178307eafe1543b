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
  type FleetProgress,
  type Link,
} from '@airbox/firmware-sim';
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
  provision: (dataDir: string, ids: string[]) => Map<string, Credentials>;
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
    const seed = 1;
    o.progress(`placing ${o.devices} boxes and provisioning their credentials…`);
    const startMs = Date.now();
    const world = createSimWorld({ seed, boxes: o.devices, startMs });
    const source = worldSource(world);
    const creds = o.provision(dataDir, [...source.boxes.map((b) => b.deviceId), 'sim-reference']);
    const broker = { host: '127.0.0.1', port: serve.port };
    const common = {
      source,
      broker,
      credentials: (id: string) => creds.get(id) ?? null,
      service: creds.get('sim-reference') ?? null,
      format: 'native' as const,
    };

    // Outages would take boxes offline during the window; count only boxes meant to be up.
    let latest: FleetProgress | null = null;
    const realtime = new Fleet({
      ...common,
      speed: 1,
      startMs,
      durationMs: null,
      onProgress: (p) => (latest = p),
      progressMs: 1000,
    }).start();
    o.progress(`real time: connecting ${o.devices} boxes…`);
    const connectStart = Date.now();
    await waitUntil(
      'every box to connect',
      () => latest !== null && latest.connected + latest.inOutage >= o.devices,
      300_000,
    );
    const connectS = (Date.now() - connectStart) / 1000;
    o.progress(
      `real time: ${o.devices} boxes connected in ${round(connectS, 1)} s; measuring ${o.windowS} s…`,
    );
    const cpu0 = process.cpuUsage();
    const acked0 = realtime.progress.readingsAcked;
    const t0 = Date.now();
    await sleep(o.windowS * 1000);
    const cpu1 = process.cpuUsage(cpu0);
    const elapsedS = (Date.now() - t0) / 1000;
    const rt = sampleProcess(process.pid);
    const realtimeResult = {
      boxes: o.devices,
      connectS: round(connectS, 1),
      windowS: round(elapsedS, 1),
      readingsAckedPerS: round((realtime.progress.readingsAcked - acked0) / elapsedS, 1),
      expectedPerS: round(o.devices / 60, 1),
      cpuCores: round((cpu1.user + cpu1.system) / 1e6 / elapsedS),
      rssBytes: rt.rssBytes,
      peakRssBytes: rt.peakRssBytes,
      droppedReadings: realtime.progress.droppedReadings,
    };
    o.progress('real time: stopping (boxes publish offline status)…');
    await realtime.stop();

    const fastSpeed = o.fastSpeed ?? 60;
    o.progress(
      `fast: the same fleet at ${fastSpeed}×, each box sending a batch every ${FAST_BATCH_S} s, for ${o.windowS} s…`,
    );
    const fastStart = Date.now();
    const fast = new Fleet({
      ...common,
      speed: fastSpeed,
      messageGapMs: FAST_BATCH_S * 1000,
      // Long enough that sim time stays behind the wall clock through connect and window.
      startMs: fastStart - (o.windowS + 300) * fastSpeed * 1000,
      durationMs: (o.windowS + 300) * fastSpeed * 1000,
      onProgress: (p) => (latest = p),
      progressMs: 1000,
    }).start();
    // Readings made while boxes were still connecting go out as backfill batches: measure
    // once that backlog is gone, so the rate is the steady one.
    await waitUntil(
      'the fast fleet to connect and catch up',
      () => latest !== null && latest.connected >= o.devices * 0.9 && latest.backlog < o.devices,
      300_000,
    );
    const fastAcked0 = fast.progress.readingsAcked;
    const fastCpu0 = process.cpuUsage();
    const server0 = sampleProcess(serve.child.pid!);
    const f0 = Date.now();
    await sleep(o.windowS * 1000);
    const fastElapsedS = (Date.now() - f0) / 1000;
    const fastCpu = process.cpuUsage(fastCpu0);
    const server1 = sampleProcess(serve.child.pid!);
    const fastResult = {
      speed: fastSpeed,
      generatedPerS: Math.round((o.devices * fastSpeed) / 60),
      readingsAckedPerS: Math.round((fast.progress.readingsAcked - fastAcked0) / fastElapsedS),
      cpuCores: round((fastCpu.user + fastCpu.system) / 1e6 / fastElapsedS),
      serverCpuCores: round((server1.cpuS - server0.cpuS) / fastElapsedS),
      batchEveryS: FAST_BATCH_S,
      backlogAtEnd: fast.progress.backlog,
      droppedReadings: fast.progress.droppedReadings,
    };
    await fast.stop();

    // 3. The simulator alone: the same fleet into in-memory links that acknowledge at once,
    // as fast as it can make readings — what it could drive into a faster receiver.
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
      ...common,
      speed: 'max',
      startMs: aloneStart,
      durationMs: 15 * 60_000,
      connect: () => Promise.resolve(instant),
      service: null,
    }).start();
    const aloneCpu0 = process.cpuUsage();
    const a0 = Date.now();
    const aloneDone = await alone.done;
    const aloneS = (Date.now() - a0) / 1000;
    const aloneCpu = process.cpuUsage(aloneCpu0);
    const aloneResult = {
      readings: aloneDone.readingsMade,
      readingsPerS: Math.round(aloneDone.readingsMade / aloneS),
      cpuMicrosPerReading: round((aloneCpu.user + aloneCpu.system) / aloneDone.readingsMade, 1),
      readingsPerCpuS: Math.round(
        aloneDone.readingsMade / ((aloneCpu.user + aloneCpu.system) / 1e6),
      ),
    };
    return {
      receiver: o.serveArgs?.includes('stream')
        ? ('stream handoff' as const)
        : ('embedded' as const),
      alone: aloneResult,
      realtime: realtimeResult,
      fast: fastResult,
      targets: {
        realtimeCpuMet: realtimeResult.cpuCores < SIM_TARGETS.realtimeCpuCores,
        realtimeRssMet: realtimeResult.peakRssBytes < SIM_TARGETS.realtimeRssBytes,
        fastRateMet: fastResult.readingsAckedPerS >= SIM_TARGETS.fastReadingsPerS,
        aloneRateMet: aloneResult.readingsPerCpuS >= SIM_TARGETS.fastReadingsPerS,
      },
      node: process.version,
    };
  } finally {
    await stop(serve.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
