import type { ReadingSink } from '@airbox/contracts';
import { join, resolve } from 'node:path';
import { openModelRegistry, registryProvider, startRefitSchedule } from '@airbox/calibrate';
import {
  DeviceRegistry,
  RawBus,
  relayLive,
  startRawRelay,
  startBroker,
  StreamHandoff,
  StreamWorker,
} from '@airbox/ingest';
import {
  brokerDeviceAdmin,
  createApi,
  MetricsRegistry,
  surfaceService,
  type RetainedBroker,
} from '@airbox/web';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, joinCluster, type Cluster } from '../cluster-options.ts';
import { startDemoFleet } from '../demo.ts';
import {
  REFERENCE_FEED_OPTIONS,
  REFERENCE_FEED_USAGE,
  startReferenceFeedFromOptions,
} from './reference.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { registerMetrics } from '../serve-metrics.ts';
import { jsonLogger } from '../log.ts';
import { waitForSignal } from '../signals.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox serve [options]

Runs the broker, the stream worker, the store and the HTTP API in one process, on
embedded defaults (SQLite in the data dir, no external service).

  --data-dir DIR           where the store, device registry and broker sessions live (default ./data)
  --registry FILE          the device registry (default DATA_DIR/devices.db); brokers of one
                           deployment on one host share it (SQLite, safe across processes)
  --host ADDR              address to listen on (default 0.0.0.0; 127.0.0.1 for local only)
  --mqtt-port N            MQTT over TCP (default 1883; 0 = pick a free port)
  --ws-port N              MQTT over WebSocket at /mqtt (default 8083; 0 = free port)
  --http-port N            HTTP API (default 8080; 0 = free port)
  --tls-cert FILE --tls-key FILE [--tls-port N]   MQTT over TLS as well (default port 8883)
  --allow-anonymous-lass   accept LASS publishers without credentials (on LASS topics only)
  --max-payload-bytes N    refuse larger PUBLISH payloads (default 65536)
  --rate N                 messages/s allowed per client on average (default 5; bursts of 200)
  --trust-proxy ADDRS      the reverse proxies (comma-separated addresses or CIDRs, or 'true' for
                           any) whose X-Forwarded-For names the client: without it every visitor
                           behind a proxy shares the proxy's per-IP rate limit
  --map-style URL          a MapLibre style for the map's base layer (production tiles);
                           default: the bundled offline map of Taiwan
  --no-refit               do not refit calibration models daily (they can be fitted with
                           'airbox calibrate fit'; the worker still applies the active ones)
  --handoff MODE           where accepted readings go (default embedded):
                           embedded  stored by this process before the device gets its PUBACK
                           mqtt      left to 'airbox worker --broker' subscribers (their
                                     persistent sessions queue them while they are away)
                           stream    appended to the Redis stream (by device) before the PUBACK,
                                     for 'airbox worker --redis' workers; needs --redis
  --no-worker              the same as --handoff mqtt
  --demo                   add the fleet simulator: boxes beside every reference station and
                           over Taiwan's cities, the simulated reference network, and the last
                           days of history first (truth in DATA_DIR/demo-truth.csv)
  --demo-devices N         boxes in the demo fleet (default 200)
  --demo-history-hours N   hours simulated before live (default 72, the three days a box
                           needs for a model of its own; 0 = live only)

${REFERENCE_FEED_USAGE}

${STORE_USAGE}

${CLUSTER_USAGE}
  With --redis, this broker keeps sessions, retained messages and queued QoS 1 messages in
  Redis and exchanges messages with the other brokers through it: several serve processes
  behind one address (a TCP load balancer) act as one broker.

Prints one JSON line with the chosen ports on stdout when ready; logs go to stderr.
Stops gracefully on SIGINT/SIGTERM: stops accepting, stores what was accepted, closes.`;

function port(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new UsageError(`--${flag} must be a port number 0–65535, got '${value}'`);
  }
  return n;
}

function nonNegative(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${flag} must be a number ≥ 0, got '${value}'`);
  }
  return n;
}

export const SERVE_OPTIONS = {
  'data-dir': { type: 'string' },
  registry: { type: 'string' },
  host: { type: 'string' },
  'mqtt-port': { type: 'string' },
  'ws-port': { type: 'string' },
  'http-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-port': { type: 'string' },
  'allow-anonymous-lass': { type: 'boolean' },
  'max-payload-bytes': { type: 'string' },
  rate: { type: 'string' },
  'no-worker': { type: 'boolean' },
  handoff: { type: 'string' },
  'no-refit': { type: 'boolean' },
  'map-style': { type: 'string' },
  'trust-proxy': { type: 'string' },
  demo: { type: 'boolean' },
  'demo-devices': { type: 'string' },
  'demo-history-hours': { type: 'string' },
  ...STORE_OPTIONS,
  ...REFERENCE_FEED_OPTIONS,
  ...CLUSTER_OPTIONS,
} as const;

/** `--trust-proxy`: 'true', or the proxies' addresses/CIDRs, as Fastify's `trustProxy` takes. */
function trustProxy(value: string | undefined): boolean | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  const list = value.split(',').map((a) => a.trim());
  if (list.some((a) => !/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a))) {
    throw new UsageError(
      `--trust-proxy takes 'true' or comma-separated addresses/CIDRs, got '${value}'`,
    );
  }
  return list;
}

type Handoff = 'embedded' | 'mqtt' | 'stream';

function handoffMode(v: { handoff?: string; 'no-worker'?: boolean; redis?: string }): Handoff {
  const mode = v.handoff ?? (v['no-worker'] ? 'mqtt' : 'embedded');
  if (mode !== 'embedded' && mode !== 'mqtt' && mode !== 'stream') {
    throw new UsageError(`--handoff must be embedded, mqtt or stream, got '${mode}'`);
  }
  if (v['no-worker'] && mode !== 'mqtt') {
    throw new UsageError(`--no-worker means --handoff mqtt; it cannot go with --handoff ${mode}`);
  }
  if (mode === 'stream' && v.redis === undefined) {
    throw new UsageError('--handoff stream needs --redis (the stream lives in Redis)');
  }
  return mode;
}

function readingSink(
  mode: Handoff,
  worker: StreamWorker,
  cluster: Cluster | null,
): ReadingSink | null {
  if (mode === 'embedded') return worker;
  if (mode === 'mqtt') return null;
  return new StreamHandoff(cluster!.redis, cluster!.keys);
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run broker + worker + store + HTTP API in one process (--demo adds a fleet)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, SERVE_OPTIONS);
    if ((v['tls-cert'] === undefined) !== (v['tls-key'] === undefined)) {
      throw new UsageError('--tls-cert and --tls-key go together');
    }
    const handoff = handoffMode(v);
    const dataDir = resolve(v['data-dir'] ?? 'data');
    const host = v.host ?? '0.0.0.0';
    const log = jsonLogger(io);
    const cluster = await joinCluster(v, 'airbox-serve', { failFast: true });

    const store = await openStore(v, dataDir);
    const registry = new DeviceRegistry(resolve(v.registry ?? join(dataDir, 'devices.db')));
    // The active calibration models, hot-reloaded: a refit or `airbox calibrate activate`
    // takes effect on the next reading without a restart.
    const models = openModelRegistry({ dataDir, now: io.now });
    const calibration = registryProvider(models, {
      now: io.now,
      onError: (e) => log('calibration-reload-failed', { error: String(e) }),
    });
    const worker = new StreamWorker({ store, now: io.now, calibration: calibration.provider });
    const sink = readingSink(handoff, worker, cluster);
    // Every PUBLISH as received, for the maker page's raw tail (/api/v1/devices/:id/raw.sse);
    // scaled out, a box's messages reach the tail on whichever node serves it.
    const rawMessages = new RawBus();
    const rawRelay = cluster && (await startRawRelay(rawMessages, cluster.redis, cluster.keys));
    const broker = await startBroker({
      registry,
      sink,
      deadLetters: (letter) => store.addDeadLetter(letter),
      persistenceDir: join(dataDir, 'broker'),
      redis: cluster?.redis,
      allowAnonymousLass: v['allow-anonymous-lass'] ?? false,
      maxPayloadBytes: positiveNumber('max-payload-bytes', v['max-payload-bytes'], 65_536),
      rawTap: rawRelay ? rawRelay.tap : (message) => rawMessages.publish(message),
      ratePerS: positiveNumber('rate', v.rate, 5),
      rateBurst: 200,
      host,
      mqttPort: port('mqtt-port', v['mqtt-port'], 1883),
      wsPort: port('ws-port', v['ws-port'], 8083),
      tls:
        v['tls-cert'] && v['tls-key']
          ? {
              certFile: v['tls-cert'],
              keyFile: v['tls-key'],
              port: port('tls-port', v['tls-port'], 8883),
            }
          : null,
      now: io.now,
      log,
    });
    // Readings stored by other processes' workers reach this node's live map through Redis.
    const stopRelay =
      cluster !== null && handoff !== 'embedded'
        ? await relayLive(worker.live, cluster.redis, cluster.keys)
        : null;
    const metrics = new MetricsRegistry();
    registerMetrics(metrics, {
      worker,
      store,
      broker,
      handoff: sink instanceof StreamHandoff ? sink : null,
    });
    const referenceFeed = startReferenceFeedFromOptions(v, { worker, metrics, log, now: io.now });
    const refits = v['no-refit']
      ? null
      : startRefitSchedule(models, store, {
          now: io.now,
          // The demo fits once its history is in (below), not on an empty store.
          runAtStart: !v.demo,
          onResult: (r) =>
            log('calibration-refit', {
              models: r.models.map((m) => m.id),
              skipped: r.skipped.length,
              drift: r.drift.length,
            }),
          onError: (e) => log('calibration-refit-failed', { error: (e as Error).message }),
        });
    const api = createApi({
      store,
      metrics,
      health: () => ({ ports: broker.ports }),
      now: io.now,
      live: worker.live,
      raw: rawMessages,
      models: () => Promise.resolve(models.list({ activeOnly: true })),
      // The registry re-reads its indoor ids only when devices.db changed (`airbox device set`
      // from another process included), so each request may ask.
      indoorDevices: () => registry.indoorDeviceIds(),
      surface: surfaceService(store, {
        now: io.now,
        indoorDevices: () => registry.indoorDeviceIds(),
      }),
      // Aedes's typings leave out its `persistence`, which every broker instance has.
      deviceAdmin: brokerDeviceAdmin(broker.aedes as unknown as RetainedBroker, registry),
      mapStyleUrl: v['map-style'],
      trustProxy: trustProxy(v['trust-proxy']),
    });
    await api.listen({ host, port: port('http-port', v['http-port'], 8080) });
    const httpPort = api.server.address();
    const ports = {
      ...broker.ports,
      http: typeof httpPort === 'object' && httpPort ? httpPort.port : null,
    };

    const local = host === '0.0.0.0' ? '127.0.0.1' : host;
    const demo = v.demo
      ? startDemoFleet({
          registry,
          broker: { host: local, port: ports.mqtt },
          devices: Math.floor(positiveNumber('demo-devices', v['demo-devices'], 200)),
          historyHours: nonNegative('demo-history-hours', v['demo-history-hours'], 72),
          dataDir,
          now: io.now,
          log,
        })
      : null;
    // The demo's history carries the co-located pairs: fit on it once it is in.
    void demo?.history.then(() => refits?.runNow());

    io.stdout.write(
      JSON.stringify({
        event: 'listening',
        dataDir,
        ports,
        handoff,
        demoDevices: demo?.devices ?? 0,
      }) + '\n',
    );
    io.stderr.write(
      `airbox serve: mqtt://${local}:${ports.mqtt}  ws://${local}:${ports.ws}/mqtt  http://${local}:${ports.http}/healthz  data in ${dataDir}\n`,
    );

    await waitForSignal();
    log('stopping', { pendingReadings: worker.pendingReadings });
    await demo?.stop();
    await broker.close(); // no new messages; those accepted are in the worker's queue
    await referenceFeed?.stop();
    refits?.stop();
    calibration.stop();
    await worker.drain();
    await stopRelay?.();
    await rawRelay?.close();
    await api.close();
    await store.close();
    cluster?.redis.disconnect();
    models.close();
    registry.close();
    log('stopped', {});
    return 0;
  },
};
