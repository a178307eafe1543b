/**
 * One attack against a running serve, watched: its RSS, CPU and /healthz while it runs, its
 * RSS after, its counters, and whether a well-behaved box still gets a reading stored.
 */
import type { ChildProcess } from 'node:child_process';
import { sampleProcess, type ProcSample } from '../proc.ts';
import { checkGoodBox, type GoodBoxSeen } from './good-box.ts';
import type { Attack, AttackOutcome, AttackTarget } from './types.ts';
import {
  counterDeltas,
  pollHealth,
  readCounters,
  rssOf,
  watchRss,
  type Counters,
  type HealthSeen,
} from './watch.ts';

/** The target every attack is judged against (issue: attack). */
export const ATTACK_TARGET = {
  rssGrowthBytes: 100 * 1024 * 1024,
  text: "the server's memory stays within 100 MB of its idle size under each attack",
} as const;

/** After an attack stops, its closes and frees land in this long; then "RSS after". */
const SETTLE_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AttackReport {
  name: Attack['name'];
  title: string;
  /** 'fresh', or the attack whose serve this one ran on after it. */
  serve: string;
  idleRssBytes: number;
  /** When it started: the idle RSS plus what the attacks before it on this serve left. */
  startRssBytes: number;
  peakRssBytes: number;
  /** 2 s after the attack stopped. */
  afterRssBytes: number;
  /** Peak less idle: what the target bounds. */
  growthBytes: number;
  cpuS: number;
  seconds: number;
  health: HealthSeen;
  goodBox: GoodBoxSeen;
  serverAlive: boolean;
  /** Server counters moved by the attack (after − before), null when /metrics did not answer. */
  counters: Counters | null;
  said: string;
  details: AttackOutcome['details'];
  error: string | null;
  withinTarget: boolean;
}

/** The serve an attack runs against, and its RSS when idle. */
export interface Served {
  child: ChildProcess;
  idleRssBytes: number;
}

function sample(pid: number): ProcSample | null {
  try {
    return sampleProcess(pid);
  } catch {
    return null;
  }
}

/** Runs the attack; a throw becomes its error, so the serve's state is still reported. */
async function runGuarded(attack: Attack, target: AttackTarget) {
  try {
    return { outcome: await attack.run(target), error: null };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { outcome: { said: `the attack failed: ${error}`, details: {} }, error };
  }
}

/**
 * The peak RSS: the highest 100 ms sample, or the kernel's high-water mark (VmHWM) when the
 * attack raised it, which catches a spike between two samples.
 */
function peakOf(sampledPeak: number, hwmBefore: number, hwmAfter: number | undefined): number {
  return hwmAfter !== undefined && hwmAfter > hwmBefore
    ? Math.max(sampledPeak, hwmAfter)
    : sampledPeak;
}

export async function measureAttack(
  served: Served,
  attack: Attack,
  target: AttackTarget,
  serve: string,
): Promise<AttackReport> {
  const pid = served.child.pid!;
  const countersBefore = await readCounters(target.ports.http);
  const before = sample(pid);
  const rss = watchRss(pid);
  const health = pollHealth(target.ports.http);
  const t0 = Date.now();
  const { outcome, error } = await runGuarded(attack, target);
  const seconds = (Date.now() - t0) / 1000;
  const cpuAfter = sample(pid)?.cpuS;
  await sleep(SETTLE_MS);
  const seenRss = rss.stop();
  const seenHealth = await health.stop();
  const serverAlive = served.child.exitCode === null && served.child.signalCode === null;
  const peakRssBytes = peakOf(
    seenRss.peakRssBytes,
    before?.peakRssBytes ?? 0,
    sample(pid)?.peakRssBytes,
  );
  const goodBox = serverAlive
    ? await checkGoodBox(target.ports, target.logins.good)
    : { connected: false, stored: false, detail: 'the server is gone' };
  const growthBytes = peakRssBytes - served.idleRssBytes;
  return {
    name: attack.name,
    title: attack.title(target.sizes),
    serve,
    idleRssBytes: served.idleRssBytes,
    startRssBytes: before?.rssBytes ?? 0,
    peakRssBytes,
    afterRssBytes: seenRss.lastRssBytes,
    growthBytes,
    cpuS: Math.round(((cpuAfter ?? NaN) - (before?.cpuS ?? NaN)) * 100) / 100,
    seconds: Math.round(seconds * 10) / 10,
    health: seenHealth,
    goodBox,
    serverAlive,
    counters: counterDeltas(countersBefore, await readCounters(target.ports.http)),
    said: outcome.said,
    details: outcome.details,
    error,
    withinTarget: serverAlive && growthBytes <= ATTACK_TARGET.rssGrowthBytes,
  };
}

/** RSS once the serve has settled after its start: the median of five samples over 1 s. */
export async function idleRss(pid: number): Promise<number> {
  await sleep(2000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssOf(pid) ?? 0);
    await sleep(200);
  }
  return samples.sort((a, b) => a - b)[2] ?? 0;
}
