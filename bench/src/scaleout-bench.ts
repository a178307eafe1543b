import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveBinary, redisArgs, startInfluxd } from '@airbox/testkit';
import { DeviceRegistry } from '@airbox/ingest';
import { measure, strip } from './ingest-bench.ts';
import { sampleProcess } from './proc.ts';
import { freePort, startProcess, startServe, stop, waitForPort } from './process.ts';

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
    const registryPath = join(dir, 'devices.db');
    const registry = new DeviceRegistry(registryPath);
    const load = registry.addMany(Array.from({ length: o.clients }, (_, i) => `scale-${i}`));
    registry.close();
    const { child: redis, url: redisUrl } = await startRedisServer(dir);
    children.push(redis);

    const brokerArgs = [
      '--redis',
      redisUrl,
      '--handoff',
      'stream',
      '--registry',
      registryPath,
    ].concat(['--no-refit']);

    /** One broker with the stream handoff, saturated for durationS: the stream fills. */
    const fill = async (label: string) => {
      o.progress(
        `broker, stream handoff (${label}): ${o.clients} clients → broker → Redis stream, ${o.durationS} s…`,
      );
      const serve = await startServe(o, join(dir, 'broker'), brokerArgs);
      children.push(serve.child);
      // A second broker of the same cluster with no clients: what one more broker pays for the
      // first one's traffic (mqemitter-redis subscribes a broker only to its clients' topics).
      const idle = await startServe(o, join(dir, 'broker-idle'), brokerArgs);
      children.push(idle.child);
      const redisBefore = sampleProcess(redis.pid!);
      const idleBefore = sampleProcess(idle.child.pid!);
      const result = await measure(serve.port, load, serve.child.pid!, o);
      const redisAfter = sampleProcess(redis.pid!);
      const idleAfter = sampleProcess(idle.child.pid!);
      await stop(serve.child);
      await stop(idle.child);
      return {
        ...strip(result),
        redisCpuCores: round((redisAfter.cpuS - redisBefore.cpuS) / result.elapsedS),
        redisRssBytes: redisAfter.rssBytes,
        otherBrokerCpuCores: round((idleAfter.cpuS - idleBefore.cpuS) / result.elapsedS),
      };
    };

    /** One worker stores the queued readings: its rate, its CPU and the store's. */
    const drain = async (queued: number, storeArgs: string[], storePid: number | null) => {
      const { child: worker, line } = await startProcess(
        [
          ...o.airbox,
          'worker',
          '--redis',
          redisUrl,
          '--data-dir',
          join(dir, `w${children.length}`),
        ].concat(['--http-port', '0', '--host', '127.0.0.1', ...storeArgs]),
        /"event":"listening"/,
        process.env,
      );
      children.push(worker);
      const httpPort = (JSON.parse(line) as { httpPort: number }).httpPort;
      const startMs = performance.now();
      const workerBefore = sampleProcess(worker.pid!);
      const storeBefore = storePid === null ? null : sampleProcess(storePid);
      let stored = 0;
      for (;;) {
        const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
        stored = Number(/^airbox_readings_stored_total (\d+)/m.exec(text)?.[1] ?? 0);
        if (stored >= queued || performance.now() - startMs > 300_000) break;
        await new Promise((r) => setTimeout(r, 200));
      }
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
    };

    const broker = await fill('for SQLite');
    o.progress(`one stream worker storing the ${broker.acked} queued readings into SQLite…`);
    const worker = await drain(broker.acked, [], null);

    let influxWorker: Awaited<ReturnType<typeof drain>> | null = null;
    if (await haveBinary('influxd')) {
      const influx = await startInfluxd();
      try {
        const again = await fill('for InfluxDB');
        o.progress(`one stream worker storing the ${again.acked} queued readings into InfluxDB…`);
        influxWorker = await drain(
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
    } else {
      o.progress("Debian's influxd is not installed: no InfluxDB worker measured");
    }
    return { bench: 'scaleout' as const, clients: o.clients, broker, worker, influxWorker };
  } finally {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
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
