/**
 * `airbox bench soak`: the scaled-out layout under a simulated fleet for a bounded time,
 * with a broker, a worker and InfluxDB failing on a schedule, ending in one equation:
 * readings the boxes had acknowledged = readings stored, each exactly once.
 *
 * "Sent" is what the simulator counts as acknowledged: a box removes a reading from its
 * backlog only on the broker's PUBACK, which the broker sends only after the Redis stream
 * holds it. A box drops its oldest reading only past 1,440 buffered (a day offline, far
 * beyond any outage here; the drops are reported), and at the end every outage ends and
 * every backlog is sent, so made = acknowledged + dropped + left unsent.
 *
 * "Stored" is distinct readings in InfluxDB (device × the time the box put on it), plus the
 * few the worker keeps as dead letters instead: backfilled readings of a box whose clock is
 * impossible have no time to be stored under. Both are counted and shown apart; a reading
 * stored twice is counted as a duplicate, and any duplicate fails the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type SoakCluster, type SoakLayout } from './soak-cluster.ts';
import {
  countDeadLetters,
  countStored,
  type DeadLetterCount,
  type StoredCount,
} from './soak-count.ts';
import { defaultFaultPlan, runFaults, type FaultPlan, type FaultRecord } from './soak-faults.ts';
import type { SoakProcess } from './soak-process.ts';
import { fleetTotals, Shard, waitForShards } from './soak-sims.ts';
import { progressTicker, waitDrained } from './soak-watch.ts';

export { defaultFaultPlan, type FaultPlan, type FaultRecord } from './soak-faults.ts';
export type { SoakLayout } from './soak-cluster.ts';

/** HAProxy holds two descriptors a connection; the machine allows 20,000 a process. */
export const HAPROXY_MAX_DEVICES = 8_000;
/** The simulator waits up to 60 s at its end for the brokers to take the last backlogs. */
const SIM_END_GRACE_S = 90;

export interface SoakOptions {
  /** How to run `airbox`, e.g. [process.execPath, '/…/bin/airbox.js']. */
  airbox: string[];
  devices: number;
  /** Real seconds the fleet runs (the faults fall inside). */
  durationS: number;
  /** Simulated seconds per real second: 1 is real time, a reading a minute a box. */
  speed?: number;
  layout?: SoakLayout;
  faults?: FaultPlan;
  progressS?: number;
  /** How long to wait, after the fleet ended, for the stream and the spill to empty. */
  drainTimeoutS?: number;
  seed?: number;
  progress: (message: string) => void;
  /** Aborting (Ctrl-C) stops every process the soak started and rejects. */
  signal?: AbortSignal;
}

export function layoutFor(devices: number): SoakLayout {
  return devices <= HAPROXY_MAX_DEVICES ? 'haproxy' : 'direct';
}

const LAYOUT_NOTES: Record<SoakLayout, string> = {
  haproxy:
    'two simulator processes, half the fleet each, both through HAProxy in front of the two brokers',
  direct: `two simulator processes, half the fleet each, one per broker: HAProxy is left out because it needs two file descriptors a connection and this machine allows 20,000 a process (it carries ≤ ${HAPROXY_MAX_DEVICES.toLocaleString('en-US')} boxes)`,
};

export async function runSoak(o: SoakOptions) {
  const run = soakRun(o);
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const dir = mkdtempSync(join(tmpdir(), 'airbox-soak-'));
  try {
    const cluster = await startCluster({
      airbox: o.airbox,
      dir,
      layout: run.layout,
      started: run.started,
      progress: o.progress,
    });
    o.progress(`${o.devices.toLocaleString('en-US')} boxes: ${LAYOUT_NOTES[run.layout]}`);
    const shards = await startShards(run, cluster);
    const { faultRecords, runS, log } = await runFleet(run, cluster, shards);
    const { drain, stored, deadLetters } = await drainAndCount(run, cluster, log);
    for (const p of run.started) p.sample();
    return summarize(run, { loadAtStart, runS, shards, stored, faultRecords, drain, deadLetters });
  } finally {
    run.abort();
    await run.faults?.catch(() => undefined);
    await stopAll(run.started);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What every step of one soak works with. */
interface SoakRun {
  o: SoakOptions;
  speed: number;
  layout: SoakLayout;
  plan: FaultPlan;
  /** Every process started, in order, so the soak stops them even after a failure. */
  started: SoakProcess[];
  /** A sleep that rejects once the soak is aborted. */
  sleep: (ms: number) => Promise<void>;
  abort: () => void;
  /** The fault schedule once it runs: awaited on the way out, after abort(). */
  faults: Promise<FaultRecord[]> | null;
}

/** The soak's settings with their defaults, and the abort that stops its sleeps and faults. */
function soakRun(o: SoakOptions): SoakRun {
  // Aborted by the caller (Ctrl-C) or on the way out, so no fault restarts a process late.
  const inner = new AbortController();
  o.signal?.addEventListener('abort', () => inner.abort(), { once: true });
  return {
    o,
    speed: o.speed ?? 1,
    layout: o.layout ?? layoutFor(o.devices),
    plan: o.faults ?? defaultFaultPlan(o.durationS),
    started: [],
    sleep: (ms) => abortableSleep(ms, inner.signal),
    abort: () => inner.abort(),
    faults: null,
  };
}

/** One simulator process per target, half the fleet each. */
async function startShards(run: SoakRun, cluster: SoakCluster): Promise<Shard[]> {
  const { o } = run;
  const shards: Shard[] = [];
  for (const [i, target] of cluster.simTargets.entries()) {
    const shard = new Shard(
      {
        airbox: o.airbox,
        devices: o.devices,
        registryPath: cluster.registryPath,
        speed: run.speed,
        durationS: o.durationS,
        seed: o.seed ?? 1,
      },
      i + 1,
      2,
      target,
    );
    shards.push(shard);
    run.started.push(shard.process);
    o.progress(`sim-${i + 1}: registering its boxes, then connecting them to ${target}…`);
    await shard.process.start(); // one at a time: each writes the shared registry
  }
  return shards;
}

/** The fleet runs, the faults on their schedule, until every shard ended or its deadline. */
async function runFleet(run: SoakRun, cluster: SoakCluster, shards: Shard[]) {
  const { o, plan, sleep } = run;
  const t0 = Date.now();
  const clock = () => (Date.now() - t0) / 1000;
  const log = (m: string) => o.progress(`${mmss(clock())} ${m}`);
  log(
    `fleet running for ${o.durationS} s at ${run.speed}× (faults at ${plan.brokerAtS}, ${plan.workerAtS} and ${plan.influxAtS} s)`,
  );
  run.faults = runFaults(plan, { cluster, clock, sleep, log });
  const ticker = progressTicker(o, cluster, run.started, shards, log);
  try {
    await waitForShards(shards, t0 + (o.durationS + SIM_END_GRACE_S) * 1000, sleep, log);
  } finally {
    ticker.stop();
  }
  const faultRecords = await run.faults;
  return { faultRecords, runS: clock(), log };
}

/** Waits for the stream and the spill to empty, then counts what InfluxDB holds. */
async function drainAndCount(run: SoakRun, cluster: SoakCluster, log: (m: string) => void) {
  log('fleet done; waiting for the stream and the spill to empty…');
  const drain = await waitDrained(cluster, run.o.drainTimeoutS ?? 300, run.sleep, log);
  log(drain.drained ? `drained in ${drain.seconds} s` : `NOT drained after ${drain.seconds} s`);
  const stored = await countStored(cluster.influx);
  const deadLetters = await countDeadLetters(cluster.influx);
  return { drain, stored, deadLetters };
}

/** What the soak measured, for its result. */
interface SoakEnd {
  loadAtStart: number[];
  runS: number;
  shards: Shard[];
  stored: StoredCount;
  faultRecords: FaultRecord[];
  drain: { drained: boolean; seconds: number };
  deadLetters: DeadLetterCount;
}

/** The result object: sent against stored, and how the fleet and each process fared. */
function summarize(run: SoakRun, s: SoakEnd) {
  const fleet = fleetTotals(s.shards);
  const sent = fleet.acked;
  const problems = soakProblems(s, sent);
  // Acknowledged readings end stored, or kept as dead letters when they have no time.
  const untimed = s.deadLetters.untimedReadings;
  const accounted = s.stored.readings + untimed;
  return {
    bench: 'soak' as const,
    devices: run.o.devices,
    durationS: run.o.durationS,
    speed: run.speed,
    layout: run.layout,
    layoutNote: LAYOUT_NOTES[run.layout],
    sentMeans:
      'the boxes got a PUBACK for them, which a broker sends once the Redis stream holds the message',
    sent,
    stored: s.stored.readings,
    storedRows: s.stored.rows,
    untimedDeadLettered: untimed,
    duplicates: s.stored.duplicates,
    missing: Math.max(0, sent - accounted),
    extra: Math.max(0, accounted - sent),
    pass: sent === accounted && s.stored.duplicates === 0 && problems.length === 0,
    problems,
    fleet: {
      boxes: fleet.boxes,
      made: fleet.made,
      dropped: fleet.dropped,
      unsent: fleet.backlog,
      outages: fleet.outages,
    },
    devicesWithReadings: s.stored.devices,
    deadLetters: s.deadLetters.byCode,
    faults: s.faultRecords,
    plan: run.plan,
    runS: round(s.runS),
    drain: s.drain,
    processes: processTotals(run.started),
    loadAtStart: s.loadAtStart,
    node: process.version,
  };
}

/** Whatever makes the run fail besides sent ≠ stored and duplicates. */
function soakProblems(s: SoakEnd, sent: number): string[] {
  const problems: string[] = [];
  for (const sh of s.shards) {
    if (sh.final === null) problems.push(`${sh.process.spec.name} reported no totals`);
  }
  for (const f of s.faultRecords) if (f.error !== null) problems.push(`${f.what}: ${f.error}`);
  if (s.faultRecords.length < 3) problems.push('not every fault ran');
  if (!s.drain.drained) problems.push('the stream or the spill did not empty in time');
  if (sent === 0) problems.push('no reading was acknowledged');
  return problems;
}

/** Each process's starts, CPU (in all and in cores since it first started) and peak RSS. */
function processTotals(started: SoakProcess[]) {
  const nowMs = Date.now();
  return started.map((p) => ({
    name: p.spec.name,
    starts: p.starts,
    cpuS: round(p.cpuS),
    cpuCores: round(p.cpuS / Math.max(1, (nowMs - (p.firstStartMs ?? nowMs)) / 1000)),
    peakRssBytes: p.peakRssBytes,
  }));
}

export type SoakResult = ReturnType<typeof summarize>;

/** Simulators first (they say goodbye), then the Airbox processes, then the servers. */
async function stopAll(started: SoakProcess[]): Promise<void> {
  const order = [/^sim-/, /^(broker|haproxy)/, /^worker-/, /^influxd$/, /^redis$/];
  for (const pattern of order) {
    await Promise.all(started.filter((p) => pattern.test(p.spec.name)).map((p) => p.stop()));
  }
}

function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('soak interrupted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('soak interrupted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const round = (n: number) => Math.round(n * 100) / 100;
const mmss = (s: number) =>
  `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
