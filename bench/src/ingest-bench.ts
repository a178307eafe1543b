import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@airbox/store';
import { DeviceRegistry, type Credentials } from '@airbox/ingest';
import { holdConnections } from './connections.ts';
import { connectAll, countingSubscriber, runLoad, type LoadClient } from './load.ts';
import { percentile, sampleProcess } from './proc.ts';

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

export async function startProcess(
  cmd: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; line: string }> {
  const [file, ...args] = cmd;
  const child = spawn(file!, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => ready.test(l));
      if (line) resolve({ child, line });
    });
    child.once('exit', (code) =>
      reject(new Error(`${cmd.join(' ')} exited (${code}) before it was ready: ${err}`)),
    );
  });
}

/** SIGTERM, and wait until it exited. */
export function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A fresh `airbox serve` on free ports (other benches load it too). `heapMb` caps V8's heap
 * (NODE_OPTIONS), as a production unit would; else V8 grows it freely.
 */
export async function startServe(
  o: Pick<IngestBenchOptions, 'airbox'>,
  dataDir: string,
  extra: string[] = [],
  heapMb?: number,
) {
  const env =
    heapMb === undefined
      ? process.env
      : { ...process.env, NODE_OPTIONS: `--max-old-space-size=${heapMb}` };
  const { child, line } = await startProcess(
    [
      ...o.airbox,
      'serve',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--mqtt-port',
      '0',
      '--ws-port',
      '0',
      '--http-port',
      '0',
      '--rate',
      '1000000',
      ...extra,
    ],
    /"event":"listening"/,
    env,
  );
  const { ports } = JSON.parse(line) as { ports: { mqtt: number } };
  return { child, port: ports.mqtt };
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

export { sampleProcess } from './proc.ts';

export async function runIngestBench(o: IngestBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-bench-'));
  try {
    const registry = new DeviceRegistry(join(dir, 'e2e', 'devices.db'));
    const ids = Array.from({ length: Math.max(o.clients, o.connections) }, (_, i) => `bench-${i}`);
    o.progress(`registering ${ids.length} devices…`);
    const creds: Credentials[] = registry.addMany(ids);
    const service = registry.add('bench-service', 'service');
    registry.close();
    const load = creds.slice(0, o.clients);

    o.progress(`end to end: ${o.clients} clients → broker → worker → SQLite for ${o.durationS} s…`);
    let serve = await startServe(o, join(dir, 'e2e'));
    const endToEnd = await measure(serve.port, load, serve.child.pid!, o);

    o.progress(`latency at a steady ${INGEST_TARGETS.fixedRatePerS} readings/s…`);
    const connected = await connectAll(serve.port, load);
    const fixed = await runLoad(
      { clients: load, durationMs: o.durationS * 1000, ratePerS: INGEST_TARGETS.fixedRatePerS },
      connected,
    );
    for (const c of connected) c.close();

    await stop(serve.child);

    const connections = await measureConnections(o, join(dir, 'e2e'), creds, CONNECTIONS_HEAP_MB);
    const uncapped = await measureConnections(o, join(dir, 'e2e'), creds);

    const store = openSqliteStore({ path: join(dir, 'e2e', 'readings.db') });
    const stored = await store.countReadings();
    await store.close();

    o.progress('broker alone: the same load relayed to one subscriber…');
    serve = await startServe(o, join(dir, 'e2e'), ['--no-worker']);
    const sub = await countingSubscriber(serve.port, service, 'airbox/v1/+/reading');
    const brokerAlone = await measure(serve.port, load, serve.child.pid!, o);
    const relayed = sub.count();
    sub.close();
    await stop(serve.child);

    const mosquitto = await measureMosquitto(
      o,
      dir,
      load.map((c) => ({ deviceId: c.deviceId })),
    );

    return {
      bench: 'ingest' as const,
      clients: o.clients,
      durationS: o.durationS,
      endToEnd: {
        ...strip(endToEnd),
        stored,
        lost: endToEnd.acked - Math.min(stored, endToEnd.acked),
      },
      fixedRate: {
        ratePerS: INGEST_TARGETS.fixedRatePerS,
        acked: fixed.acked,
        sent: fixed.sent,
        p50Ms: round(percentile(fixed.latenciesMs, 50)),
        p99Ms: round(percentile(fixed.latenciesMs, 99)),
      },
      connections: {
        ...connections,
        heapCapMb: CONNECTIONS_HEAP_MB,
        uncappedServerRssBytes: uncapped.serverRssBytes,
      },
      brokerAlone: {
        ...strip(brokerAlone),
        relayedPerS: Math.round(relayed / brokerAlone.elapsedS),
      },
      mosquitto,
      ratios: {
        endToEndVsBrokerAlone: round(endToEnd.perS / brokerAlone.perS),
        endToEndVsMosquitto: mosquitto ? round(endToEnd.perS / mosquitto.perS) : null,
        brokerAloneVsMosquitto: mosquitto ? round(brokerAlone.perS / mosquitto.perS) : null,
      },
      targets: INGEST_TARGETS,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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

/** A port the kernel says is free now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** Resolves once something accepts connections on the port (at most 10 s). */
export async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
