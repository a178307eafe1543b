/**
 * The scaled-out deployment the soak runs, on 127.0.0.1: Redis, InfluxDB (v1), two brokers
 * (`airbox serve --handoff stream`, one shared device registry), two stream workers
 * (`airbox worker --redis`) and, for fleets HAProxy can carry, HAProxy in front of the
 * brokers. Every port is chosen before the start, so a killed part restarts on its own.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DEFAULT_PARTITIONS, DEFAULT_PREFIX, streamKey } from '@airbox/ingest';
import { freePort } from '@airbox/testkit';
import { metricValue, type InfluxTarget } from './soak-count.ts';
import { SoakProcess, type SoakProcessSpec } from './soak-process.ts';
import { haproxySpec, influxdSpec, redisSpec } from './soak-servers.ts';

export type SoakLayout = 'direct' | 'haproxy';

export interface SoakCluster {
  redis: SoakProcess;
  influxd: SoakProcess;
  brokers: SoakProcess[];
  workers: SoakProcess[];
  haproxy: SoakProcess | null;
  influx: InfluxTarget;
  registryPath: string;
  redisUrl: string;
  /** Where each simulator shard connects: its own broker (direct) or HAProxy. */
  simTargets: string[];
  brokerMqttPorts: number[];
  workerHttpPorts: number[];
}

export interface ClusterOptions {
  airbox: string[];
  dir: string;
  layout: SoakLayout;
  /** Every process it starts goes here first, so the caller stops them even after a failure. */
  started: SoakProcess[];
  progress: (message: string) => void;
}

async function launch(o: ClusterOptions, spec: SoakProcessSpec): Promise<SoakProcess> {
  const p = new SoakProcess(spec);
  o.started.push(p);
  await p.start();
  return p;
}

const LISTENING = /"event":"listening"/;
const names = ['a', 'b'];

export async function startCluster(o: ClusterOptions): Promise<SoakCluster> {
  const { redis, influxd, redisUrl, influx } = await startServers(o);
  const store = ['--store', 'influxdb', '--influx-url', influx.url, '--influx-mode', 'v1'].concat([
    '--influx-db',
    influx.database,
  ]);
  const registryPath = join(o.dir, 'devices.db');

  o.progress('starting two brokers (stream handoff) and two stream workers…');
  const brokerSpecs = await brokerSpecsFor(o, registryPath, redisUrl, store);
  const workerSpecs = await workerSpecsFor(o, redisUrl, store);
  // The first broker records the partition count and creates the database; the rest after.
  const first = await launch(o, brokerSpecs.specs[0]!);
  const rest = await Promise.all(
    [brokerSpecs.specs[1]!, ...workerSpecs.specs].map((s) => launch(o, s)),
  );
  const brokerMqttPorts = brokerSpecs.mqttPorts;
  const { haproxy, simTargets } = await startFront(o, brokerMqttPorts);
  return {
    redis,
    influxd,
    brokers: [first, rest[0]!],
    workers: rest.slice(1),
    haproxy,
    influx,
    registryPath,
    redisUrl,
    simTargets,
    brokerMqttPorts,
    workerHttpPorts: workerSpecs.httpPorts,
  };
}

/** Redis and InfluxDB, which every broker and worker uses. */
async function startServers(o: ClusterOptions) {
  const [redisPort, influxPort, rpcPort] = [await freePort(), await freePort(), await freePort()];
  o.progress('starting redis-server and influxd…');
  const redis = await launch(o, redisSpec(join(o.dir, 'redis'), redisPort));
  const influxd = await launch(o, influxdSpec(join(o.dir, 'influxd'), influxPort, rpcPort));
  const redisUrl = `redis://127.0.0.1:${redisPort}/0`;
  const influx = { url: `http://127.0.0.1:${influxPort}`, database: 'airbox' };
  return { redis, influxd, redisUrl, influx };
}

/** Two brokers (`airbox serve --handoff stream`) sharing the registry, on ports chosen now. */
async function brokerSpecsFor(
  o: ClusterOptions,
  registryPath: string,
  redisUrl: string,
  store: string[],
) {
  const mqttPorts: number[] = [];
  const specs: SoakProcessSpec[] = [];
  for (const n of names) {
    const [mqtt, ws, http] = [await freePort(), await freePort(), await freePort()];
    mqttPorts.push(mqtt);
    specs.push({
      name: `broker-${n}`,
      cmd: [...o.airbox, 'serve', '--host', '127.0.0.1', '--data-dir', join(o.dir, `broker-${n}`)]
        .concat(['--registry', registryPath, '--redis', redisUrl, '--handoff', 'stream'])
        .concat(['--mqtt-port', String(mqtt), '--ws-port', String(ws), '--http-port', String(http)])
        // Behind HAProxy, as deploy/cluster: every box has HAProxy's address.
        .concat(['--max-connections-per-address', '0', '--no-refit', ...store]),
      readyLine: LISTENING,
    });
  }
  return { specs, mqttPorts };
}

/** Two stream workers (`airbox worker --redis`), each with its /metrics port chosen now. */
async function workerSpecsFor(o: ClusterOptions, redisUrl: string, store: string[]) {
  const httpPorts: number[] = [];
  const specs: SoakProcessSpec[] = [];
  for (const i of [1, 2]) {
    const http = await freePort();
    httpPorts.push(http);
    specs.push({
      name: `worker-${i}`,
      cmd: [...o.airbox, 'worker', '--redis', redisUrl, '--worker-id', `w${i}`]
        .concat(['--data-dir', join(o.dir, `worker-${i}`), '--host', '127.0.0.1'])
        .concat(['--http-port', String(http), ...store]),
      readyLine: LISTENING,
    });
  }
  return { specs, httpPorts };
}

/** Where the simulators connect: HAProxy in front of the brokers, or each its own broker. */
async function startFront(o: ClusterOptions, brokerMqttPorts: number[]) {
  let haproxy: SoakProcess | null = null;
  let simTargets = brokerMqttPorts.map((p) => `mqtt://127.0.0.1:${p}`);
  if (o.layout === 'haproxy') {
    const lbPort = await freePort();
    haproxy = await launch(o, haproxySpec(join(o.dir, 'haproxy'), lbPort, brokerMqttPorts));
    simTargets = names.map(() => `mqtt://127.0.0.1:${lbPort}`);
  }
  return { haproxy, simTargets };
}

export interface WorkerGauges {
  /** Entries in the streams of the partitions the answering workers hold. */
  backlog: number;
  /** Readings parked on disk while InfluxDB is away. */
  spilled: number;
  /** Readings taken but not yet durable (write queue and store buffer). */
  pending: number;
  /** Workers that answered /metrics. */
  answered: number;
}

/** The workers' gauges, summed over those that answer (a restarting one does not). */
export async function workerGauges(c: SoakCluster): Promise<WorkerGauges> {
  const g = { backlog: 0, spilled: 0, pending: 0, answered: 0 };
  for (const port of c.workerHttpPorts) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        signal: AbortSignal.timeout(2000),
      });
      const text = await res.text();
      g.backlog += metricValue(text, 'airbox_stream_backlog_entries') ?? 0;
      g.spilled += metricValue(text, 'airbox_store_spilled_readings') ?? 0;
      g.pending += metricValue(text, 'airbox_write_queue_readings') ?? 0;
      g.pending += metricValue(text, 'airbox_store_pending_readings') ?? 0;
      g.answered++;
    } catch {
      // down (killed or restarting): counted by `answered`
    }
  }
  return g;
}

/** Entries left in every partition's stream, straight from Redis (held by no worker too). */
export async function streamEntries(redisUrl: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const keys = { prefix: DEFAULT_PREFIX, partitions: DEFAULT_PARTITIONS };
    let total = 0;
    for (let p = 0; p < keys.partitions; p++) total += await redis.xlen(streamKey(keys, p));
    return total;
  } finally {
    redis.disconnect();
  }
}
