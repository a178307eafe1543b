import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveBinary, redisArgs, startInfluxd } from '@airbox/testkit';
import { openSqliteRegistry, type Credentials } from '@airbox/registry';
import { measure, strip } from './ingest-bench.ts';
import { sampleProcess } from './proc.ts';
import { freePort } from '@airbox/testkit';
import { startProcess, startServe, stop, waitForPort } from './process.ts';

export interface ScaleoutBenchOptions {
  airbox: string[];
  clients: number;
  durationS: number;
  progress: (message: string) => void;
}

/**
 * The parts of the scaled-out layout, one at a time, for the capacity estimate in
 * deploy/README.md: what one broker acknowledges a second when each PUBLISH is appended to
 * the Redis stream first (and what Redis spends on it), then how fast one stream worker
 * stores that backlog into SQLite and into InfluxDB 1.x (Debian's, when installed). Each
 * reading is one MQTT message, the worst case (a box sending a batch costs the broker one
 * message for many readings).
 */
export async function runScaleoutBench(o: ScaleoutBenchOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'airbox-bench-scaleout-'));
  const children: ChildProcess[] = [];
  try {
    const run = await setUp(o, dir, children);
    const broker = await fill(run, 'for SQLite');
    o.progress(`one stream worker storing the ${broker.acked} queued readings into SQLite…`);
    const worker = await drain(run, broker.acked, [], null);
    const influxWorker = await measureInflux(run);
    return { bench: 'scaleout' as const, clients: o.clients, broker, worker, influxWorker };
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What every step of one scale-out bench works with. */
interface ScaleoutRun {
  o: ScaleoutBenchOptions;
  dir: string;
  /** Every process started, so the bench stops them even after a failure. */
  children: ChildProcess[];
  redis: ChildProcess;
  redisUrl: string;
  registryPath: string;
  load: Credentials[];
}

/** The clients' credentials in a shared device registry, and the Redis the brokers share. */
async function setUp(
  o: ScaleoutBenchOptions,
  dir: string,
  children: ChildProcess[],
): Promise<ScaleoutRun> {
  const registryPath = join(dir, 'devices.db');
  const registry = await openSqliteRegistry(registryPath);
  const load = await registry.devices.issueMany(
    Array.from({ length: o.clients }, (_, i) => `scale-${i}`),
  );
  await registry.close();
  const { child: redis, url: redisUrl } = await startRedisServer(dir);
  children.push(redis);
  return { o, dir, children, redis, redisUrl, registryPath, load };
}

/** One broker with the stream handoff, saturated for durationS: the stream fills. */
async function fill(run: ScaleoutRun, label: string) {
  const { o, dir, children } = run;
  o.progress(
    `broker, stream handoff (${label}): ${o.clients} clients → broker → Redis stream, ${o.durationS} s…`,
  );
  const brokerArgs = ['--redis', run.redisUrl, '--handoff', 'stream']
    .concat(['--registry', run.registryPath])
    .concat(['--no-refit']);
  const serve = await startServe(o, join(dir, 'broker'), brokerArgs);
  children.push(serve.child);
  // A second broker of the same cluster with no clients: what one more broker pays for the
  // first one's traffic (mqemitter-redis subscribes a broker only to its clients' topics).
  const idle = await startServe(o, join(dir, 'broker-idle'), brokerArgs);
  children.push(idle.child);
  const redisBefore = sampleProcess(run.redis.pid!);
  const idleBefore = sampleProcess(idle.child.pid!);
  const result = await measure(serve.port, run.load, serve.child.pid!, o);
  const redisAfter = sampleProcess(run.redis.pid!);
  const idleAfter = sampleProcess(idle.child.pid!);
  await stop(serve.child);
  await stop(idle.child);
  return {
    ...strip(result),
    redisCpuCores: round((redisAfter.cpuS - redisBefore.cpuS) / result.elapsedS),
    redisRssBytes: redisAfter.rssBytes,
    otherBrokerCpuCores: round((idleAfter.cpuS - idleBefore.cpuS) / result.elapsedS),
  };
}

/** One worker stores the queued readings: its rate, its CPU and the store's. */
async function drain(
  run: ScaleoutRun,
  queued: number,
  storeArgs: string[],
  storePid: number | null,
) {
  const { worker, httpPort } = await startWorker(run, storeArgs);
  const startMs = performance.now();
  const workerBefore = sampleProcess(worker.pid!);
  const storeBefore = storePid === null ? null : sampleProcess(storePid);
  const stored = await waitStored(httpPort, queued, startMs);
  const drainS = (performance.now() - startMs) / 1000;
  const workerAfter = sampleProcess(worker.pid!);
  const storeAfter = storePid === null ? null : sampleProcess(storePid);
  await stop(worker);
  return {
    stored,
    queued,
    drainS: round(drainS),
    perS: Math.round(stored / drainS),
    cpuCores: round((workerAfter.cpuS - workerBefore.cpuS) / drainS),
    peakRssBytes: workerAfter.peakRssBytes,
    storeCpuCores:
      storeBefore && storeAfter ? round((storeAfter.cpuS - storeBefore.cpuS) / drainS) : null,
  };
}

/** `airbox worker` on the shared stream, in a data directory of its own. */
async function startWorker(run: ScaleoutRun, storeArgs: string[]) {
  const { child: worker, line } = await startProcess(
    [
      ...run.o.airbox,
      'worker',
      '--redis',
      run.redisUrl,
      '--data-dir',
      join(run.dir, `w${run.children.length}`),
    ].concat(['--http-port', '0', '--host', '127.0.0.1', ...storeArgs]),
    /"event":"listening"/,
    process.env,
  );
  run.children.push(worker);
  const httpPort = (JSON.parse(line) as { httpPort: number }).httpPort;
  return { worker, httpPort };
}

/** Polls the worker's /metrics until it stored `queued` readings or 300 s passed. */
async function waitStored(httpPort: number, queued: number, startMs: number): Promise<number> {
  let stored = 0;
  for (;;) {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    stored = Number(/^airbox_readings_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
    if (stored >= queued || performance.now() - startMs > 300_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return stored;
}

/** The same fill, drained by one worker into Debian's InfluxDB 1.x (null: not installed). */
async function measureInflux(run: ScaleoutRun) {
  if (!(await haveBinary('influxd'))) {
    run.o.progress("Debian's influxd is not installed: no InfluxDB worker measured");
    return null;
  }
  const influx = await startInfluxd();
  try {
    const again = await fill(run, 'for InfluxDB');
    run.o.progress(`one stream worker storing the ${again.acked} queued readings into InfluxDB…`);
    return await drain(
      run,
      again.acked,
      ['--store', 'influxdb', '--influx-url', influx.url, '--influx-mode', 'v1'].concat([
        '--influx-db',
        'bench',
      ]),
      influx.pid,
    );
  } finally {
    await influx.stop();
  }
}

/** Debian's redis-server for a bench, configured as deploy/ says (appendonly, fsync a second). */
export async function startRedisServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn('redis-server', redisArgs(dir, port), { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`cannot start redis-server: ${e.message}`)));
    child.once('spawn', resolve);
  });
  await waitForPort(port);
  return { child, url: `redis://127.0.0.1:${port}/0` };
}

const round = (n: number) => Math.round(n * 100) / 100;
