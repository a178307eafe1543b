/**
 * `airbox bench reconnect`: N boxes reconnecting at once against a real `airbox serve` whose
 * registry is PostgreSQL or SQLite — first to a freshly started broker, then again after the
 * broker was stopped (SIGTERM, every box cut off) and started anew, when its registry view
 * loads the whole snapshot from the database before it listens. Issue 15's target: 15,000
 * boxes all CONNACKed within 30 s, none refused.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { freePort } from '@airbox/testkit';
import { readCounters } from './attack/watch.ts';
import { sampleProcess } from './proc.ts';
import { startServe, stop } from './process.ts';
import { prepareRegistry, type BenchRegistry, type RegistryKind } from './reconnect/registry.ts';
import { reconnectStorm } from './reconnect/storm.ts';
import { listenCountersSince, readListenCounters } from './reconnect/tcp-counters.ts';

export const RECONNECT_TARGETS = { boxes: 15_000, lastConnackMs: 30_000, refused: 0 } as const;

/** A box still unanswered after this long counts as failed (well past the 30 s target). */
const STORM_DEADLINE_MS = 120_000;
/** Open files the bench process keeps for itself beside the boxes' sockets. */
const CLIENT_RESERVE_FILES = 500;
/** Open files the broker keeps beside the boxes' (its stores, the HTTP API, PostgreSQL). */
const SERVER_RESERVE_FILES = 1000;

export interface ReconnectBenchOptions {
  airbox: string[];
  boxes: number;
  registries: RegistryKind[];
  progress: (message: string) => void;
}

export type ReconnectBenchResult = Awaited<ReturnType<typeof runReconnectBench>>;

export async function runReconnectBench(o: ReconnectBenchOptions) {
  const fileLimit = checkFileLimit(o.boxes);
  const runs = [];
  for (const [i, kind] of o.registries.entries()) runs.push(await runOne(o, kind, i));
  return {
    bench: 'reconnect' as const,
    boxes: o.boxes,
    fileLimit,
    runs,
    targets: RECONNECT_TARGETS,
  };
}

/**
 * The broker (a child process, with its own open-files budget) and this process (the boxes'
 * sockets) inherit the same soft limit; each needs the boxes plus a reserve.
 */
function checkFileLimit(boxes: number): number {
  const soft = readFileSync('/proc/self/limits', 'utf8').match(/^Max open files\s+(\d+)/m)?.[1];
  const limit = soft === undefined ? Infinity : Number(soft);
  const needed = boxes + Math.max(CLIENT_RESERVE_FILES, SERVER_RESERVE_FILES);
  if (limit < needed) {
    throw new Error(
      `the open-files limit (ulimit -n) is ${limit}: ${boxes} boxes need at least ${needed} in this process and in the broker it starts; raise it (ulimit -n ${needed}) or pass fewer --boxes`,
    );
  }
  return limit;
}

/**
 * Both storms against one registry: a fresh broker, then the same broker restarted. Each
 * storm comes from loopback addresses of its own (127.<run>.<storm>.x), so none meets the
 * TIME_WAITs an earlier one left on the same ports.
 */
async function runOne(o: ReconnectBenchOptions, kind: RegistryKind, run: number) {
  const dir = mkdtempSync(join(tmpdir(), `airbox-bench-reconnect-${kind}-`));
  let registry: BenchRegistry | null = null;
  let broker: ChildProcess | null = null;
  let sockets: Socket[] = [];
  try {
    registry = await prepareRegistry(kind, o.boxes, dir, o.progress);
    // One port for both brokers: the boxes come back to the address they lost.
    const port = await freePort();
    const first = await startBroker(o, dir, registry.location, port);
    broker = first.child;
    o.progress(`${kind}: ${o.boxes} boxes connecting at once to a fresh broker…`);
    const fresh = await storm(first, registry.logins, port, `127.${run + 1}.1`);
    sockets = fresh.sockets;

    o.progress(`${kind}: stopping the broker with every box connected (SIGTERM)…`);
    const stopT0 = performance.now();
    await stop(first.child);
    const stopS = seconds(performance.now() - stopT0);
    for (const s of sockets) s.destroy();

    const second = await startBroker(o, dir, registry.location, port);
    broker = second.child;
    o.progress(`${kind}: the same ${o.boxes} boxes reconnecting to the restarted broker…`);
    const restarted = await storm(second, registry.logins, port, `127.${run + 1}.2`);
    sockets = restarted.sockets;
    await stop(second.child);
    return {
      registry: kind,
      registerS: registry.registerS,
      snapshotMs: registry.snapshotMs,
      fresh: { startS: first.startS, ...fresh.measured },
      restart: { stopS, startS: second.startS, ...restarted.measured },
    };
  } finally {
    if (broker) await stop(broker);
    for (const s of sockets) s.destroy();
    await registry?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `airbox serve` on `port` with `--registry`; the caps that protect a public broker from one
 * address and from a flood are opened up, since every box here connects from this host.
 * Resolves once it listens, which is after its registry view loaded every box.
 */
async function startBroker(o: ReconnectBenchOptions, dir: string, registry: string, port: number) {
  const t0 = performance.now();
  // startServe gives --mqtt-port 0 first; the last value of a flag wins.
  const { child, httpPort } = await startServe(o, join(dir, 'data'), [
    ...['--mqtt-port', String(port)],
    ...['--registry', registry],
    ...['--max-connections', String(o.boxes + SERVER_RESERVE_FILES / 2)],
    // Its default (1,000) closes the longest-waiting of a flood of silent sockets; in a storm
    // the broker is behind on every socket, and half the boxes would be cut (bench/README.md).
    ...['--max-pending-connections', String(o.boxes)],
    '--no-refit',
  ]);
  return { child, httpPort, startS: seconds(performance.now() - t0) };
}

/**
 * One storm, with the broker's CPU over it and its memory once every box is in, this
 * process's CPU (the boxes' side shares the 2 cores), and the host's listen-queue overflows.
 */
async function storm(
  broker: { child: ChildProcess; httpPort: number },
  logins: BenchRegistry['logins'],
  port: number,
  sourcePrefix: string,
) {
  const loadAtStart = loadavg()[0] ?? NaN;
  const pid = broker.child.pid!;
  const before = { broker: sampleProcess(pid), boxes: process.cpuUsage() };
  const countersBefore = readListenCounters();
  const { result, sockets } = await reconnectStorm(logins, {
    port,
    sourcePrefix,
    deadlineMs: STORM_DEADLINE_MS,
  });
  const after = sampleProcess(pid);
  const boxesCpu = process.cpuUsage(before.boxes);
  const measured = {
    ...result,
    withinTarget:
      result.accepted === result.boxes && result.lastConnackMs <= RECONNECT_TARGETS.lastConnackMs,
    brokerCpuS: round2(after.cpuS - before.broker.cpuS),
    brokerRssBytes: after.rssBytes,
    brokerPeakRssBytes: after.peakRssBytes,
    boxesCpuS: round2((boxesCpu.user + boxesCpu.system) / 1e6),
    // The 2 cores are shared: other work on the machine shows in every number above.
    loadAverageAtStart: round2(loadAtStart),
    hostListenCounters: listenCountersSince(countersBefore, readListenCounters()),
    brokerClosed: await closedByBroker(broker.httpPort),
  };
  return { measured, sockets };
}

/**
 * Connections the broker itself closed over the storm (it is fresh, so its counters are the
 * storm's): by its connection caps, its CONNECT timeout, its cap on connections waiting for
 * a CONNECT. Null when /metrics did not answer.
 */
async function closedByBroker(httpPort: number) {
  const c = await readCounters(httpPort);
  return (
    c && {
      connectionCaps: c.connectionsRefused,
      connectTimeout: c.connectTimeouts,
      pendingCap: c.pendingCapClosed,
    }
  );
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const seconds = (ms: number) => Math.round(ms / 100) / 10;
