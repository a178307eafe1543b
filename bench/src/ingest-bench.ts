import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@airbox/store';
import { openSqliteRegistry, type Credentials } from '@airbox/registry';
import { holdConnections } from './connections.ts';
import { connectAll, countingSubscriber, runLoad, type LoadClient } from './load.ts';
import { percentile, sampleProcess } from './proc.ts';
import { freePort } from '@airbox/testkit';
import { startServe, stop, waitForPort } from './process.ts';

/** Targets on the 2-core reference machine (issue: ingest). */
export const INGEST_TARGETS = {
  endToEndPerS: 15_000,
  p99AtFixedRateMs: 50,
  fixedRatePerS: 1_000,
  connections: 15_000,
  connectionsRssBytes: 300 * 1024 * 1024,
} as const;

export interface IngestBenchOptions {
  /** How to run `airbox`: e.g. [process.execPath, '/…/bin/airbox.js']. */
  airbox: string[];
  clients: number;
  durationS: number;
  connections: number;
  progress: (message: string) => void;
}

/** One closed-loop run; returns rate, latency and the server's CPU use during it. */
export async function measure(
  port: number,
  clients: LoadClient[],
  serverPid: number,
  o: Pick<IngestBenchOptions, 'durationS'>,
) {
  const connected = await connectAll(port, clients);
  const before = sampleProcess(serverPid);
  const r = await runLoad(
    { clients, durationMs: o.durationS * 1000, windowPerClient: 20 },
    connected,
  );
  const after = sampleProcess(serverPid);
  for (const c of connected) c.close();
  return {
    ...r,
    perS: Math.round(r.acked / r.elapsedS),
    p50Ms: round(percentile(r.latenciesMs, 50)),
    p99Ms: round(percentile(r.latenciesMs, 99)),
    serverCpuCores: round((after.cpuS - before.cpuS) / r.elapsedS),
    serverPeakRssBytes: after.peakRssBytes,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export async function runIngestBench(o: IngestBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-bench-'));
  try {
    const dataDir = join(dir, 'e2e');
    const { creds, service } = await registerDevices(o, dataDir);
    const load = creds.slice(0, o.clients);
    const { endToEnd, fixedRate } = await measureEndToEnd(o, dataDir, load);
    const connections = await measureConnections(o, dataDir, creds, CONNECTIONS_HEAP_MB);
    const uncapped = await measureConnections(o, dataDir, creds);
    const stored = await countStored(dataDir);
    const brokerAlone = await measureBrokerAlone(o, dataDir, load, service);
    const mosquitto = await measureMosquitto(
      o,
      dir,
      load.map((c) => ({ deviceId: c.deviceId })),
    );
    return ingestResult(o, {
      endToEnd,
      stored,
      fixedRate,
      connections,
      uncapped,
      brokerAlone,
      mosquitto,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Credentials for every client and held connection, and the service account that listens. */
async function registerDevices(o: IngestBenchOptions, dataDir: string) {
  const registry = await openSqliteRegistry(join(dataDir, 'devices.db'));
  try {
    const ids = Array.from({ length: Math.max(o.clients, o.connections) }, (_, i) => `bench-${i}`);
    o.progress(`registering ${ids.length} devices…`);
    const creds: Credentials[] = await registry.devices.issueMany(ids);
    const service = await registry.devices.add({ deviceId: 'bench-service', role: 'service' });
    return { creds, service };
  } finally {
    await registry.close();
  }
}

/** Publish → stored as fast as it goes, then latency at a fixed rate, on one `serve`. */
async function measureEndToEnd(o: IngestBenchOptions, dataDir: string, load: Credentials[]) {
  o.progress(`end to end: ${o.clients} clients → broker → worker → SQLite for ${o.durationS} s…`);
  const serve = await startServe(o, dataDir);
  const endToEnd = await measure(serve.port, load, serve.child.pid!, o);

  o.progress(`latency at a steady ${INGEST_TARGETS.fixedRatePerS} readings/s…`);
  const connected = await connectAll(serve.port, load);
  const fixed = await runLoad(
    { clients: load, durationMs: o.durationS * 1000, ratePerS: INGEST_TARGETS.fixedRatePerS },
    connected,
  );
  for (const c of connected) c.close();

  await stop(serve.child);
  const fixedRate = {
    ratePerS: INGEST_TARGETS.fixedRatePerS,
    acked: fixed.acked,
    sent: fixed.sent,
    p50Ms: round(percentile(fixed.latenciesMs, 50)),
    p99Ms: round(percentile(fixed.latenciesMs, 99)),
  };
  return { endToEnd, fixedRate };
}

/** Readings the end-to-end runs left in the SQLite store. */
async function countStored(dataDir: string): Promise<number> {
  const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
  const stored = await store.countReadings();
  await store.close();
  return stored;
}

/** The same load on a `serve` with no worker, relayed to one subscriber. */
async function measureBrokerAlone(
  o: IngestBenchOptions,
  dataDir: string,
  load: Credentials[],
  service: Credentials,
) {
  o.progress('broker alone: the same load relayed to one subscriber…');
  const serve = await startServe(o, dataDir, ['--no-worker']);
  const sub = await countingSubscriber(serve.port, service, 'airbox/v1/+/reading');
  const brokerAlone = await measure(serve.port, load, serve.child.pid!, o);
  const relayed = sub.count();
  sub.close();
  await stop(serve.child);
  return { ...strip(brokerAlone), relayedPerS: Math.round(relayed / brokerAlone.elapsedS) };
}

type Measured = Awaited<ReturnType<typeof measure>>;
type Held = Awaited<ReturnType<typeof measureConnections>>;

interface IngestRuns {
  endToEnd: Measured;
  stored: number;
  fixedRate: Awaited<ReturnType<typeof measureEndToEnd>>['fixedRate'];
  connections: Held;
  uncapped: Held;
  brokerAlone: Awaited<ReturnType<typeof measureBrokerAlone>>;
  mosquitto: Awaited<ReturnType<typeof measureMosquitto>>;
}

/** The result object: each run as measured, and the ratios between them. */
function ingestResult(o: IngestBenchOptions, r: IngestRuns) {
  const { endToEnd, stored, brokerAlone, mosquitto } = r;
  return {
    bench: 'ingest' as const,
    clients: o.clients,
    durationS: o.durationS,
    endToEnd: {
      ...strip(endToEnd),
      stored,
      lost: endToEnd.acked - Math.min(stored, endToEnd.acked),
    },
    fixedRate: r.fixedRate,
    connections: {
      ...r.connections,
      heapCapMb: CONNECTIONS_HEAP_MB,
      uncappedServerRssBytes: r.uncapped.serverRssBytes,
    },
    brokerAlone,
    mosquitto,
    ratios: {
      endToEndVsBrokerAlone: round(endToEnd.perS / brokerAlone.perS),
      endToEndVsMosquitto: mosquitto ? round(endToEnd.perS / mosquitto.perS) : null,
      brokerAloneVsMosquitto: mosquitto ? round(brokerAlone.perS / mosquitto.perS) : null,
    },
    targets: INGEST_TARGETS,
  };
}

/**
 * A broker for many devices runs with its V8 heap capped (NODE_OPTIONS, as deploy/ sets
 * it): uncapped, V8 keeps the garbage of 15,000 CONNECTs around because it has room to.
 */
export const CONNECTIONS_HEAP_MB = 256;

/** RSS of a fresh `serve` (so it is that of the connections, not of a run before) holding them. */
async function measureConnections(
  o: IngestBenchOptions,
  dataDir: string,
  creds: Credentials[],
  heapMb?: number,
) {
  o.progress(
    `holding ${o.connections} connections on a fresh server${heapMb ? ` (heap capped at ${heapMb} MB)` : ''}…`,
  );
  const serve = await startServe(o, dataDir, [], heapMb);
  await new Promise((r) => setTimeout(r, 1000));
  const idleRss = sampleProcess(serve.child.pid!).rssBytes;
  const held = await holdConnections(
    serve.port,
    (i) => ({ clientId: creds[i]!.deviceId, ...creds[i]! }),
    o.connections,
  );
  await new Promise((r) => setTimeout(r, 3000));
  const heldRss = sampleProcess(serve.child.pid!).rssBytes;
  for (const s of held.sockets) s.destroy();
  await stop(serve.child);
  return {
    requested: o.connections,
    accepted: held.accepted,
    idleServerRssBytes: idleRss,
    serverRssBytes: heldRss,
    perConnectionBytes: Math.round((heldRss - idleRss) / Math.max(1, held.accepted)),
  };
}

export function strip<T extends { latenciesMs: number[] }>(r: T): Omit<T, 'latenciesMs'> {
  const rest: Partial<T> = { ...r };
  delete rest.latenciesMs;
  return rest as Omit<T, 'latenciesMs'>;
}

async function measureMosquitto(o: IngestBenchOptions, dir: string, clients: LoadClient[]) {
  const conf = join(dir, 'mosquitto.conf');
  const port = await freePort();
  writeFileSync(
    conf,
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_inflight_messages 0\nmax_queued_messages 100000\n`,
  );
  let child: ChildProcess;
  try {
    child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', resolve);
    });
    await waitForPort(port);
  } catch {
    o.progress('Debian mosquitto not installed: skipping the Mosquitto comparison');
    return null;
  }
  o.progress('Mosquitto: the same load relayed to one subscriber…');
  try {
    const sub = await countingSubscriber(port, {}, 'airbox/v1/+/reading');
    const r = await measure(port, clients, child.pid!, o);
    const relayed = sub.count();
    sub.close();
    return { ...strip(r), relayedPerS: Math.round(relayed / r.elapsedS) };
  } finally {
    await stop(child);
  }
}
