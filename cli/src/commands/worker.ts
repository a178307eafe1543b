import type { InboundMessage } from '@airbox/contracts';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { openModelRegistry, registryProvider } from '@airbox/calibrate';
import { publishLive, startSubscriberWorker, StreamConsumer, StreamWorker } from '@airbox/ingest';
import { MetricsRegistry } from '@airbox/web';
import { parseCommandArgs } from '../args.ts';
import { CLUSTER_OPTIONS, CLUSTER_USAGE, joinCluster, type Cluster } from '../cluster-options.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { jsonLogger, type JsonLog } from '../log.ts';
import { DEAD_LETTER_OPTIONS, DEAD_LETTER_USAGE, deadLetterBudget } from '../serve/dead-letters.ts';
import { startOpsHttp } from '../ops-http.ts';
import { registerMetrics } from '../serve-metrics.ts';
import { waitForSignal } from '../signals.ts';
import { openStore, STORE_OPTIONS, STORE_USAGE } from '../store-options.ts';

const usage = `usage: airbox worker (--redis URL | --broker URL --username U --password P) [options]

The stream worker as its own process. It stores a message's readings before it
acknowledges the message, so a worker that dies loses nothing.

From the Redis stream (scaled out: 'airbox serve --handoff stream --redis URL'):
  --redis URL         the deployment's Redis; the worker leases a fair share of the stream's
                      partitions (a device's messages are all in one), and takes over the
                      partitions of a worker that stops or dies (its lease lapses in 10 s)
  --worker-id ID      this worker's name among the others (default <hostname>-<pid>)

From one broker over MQTT ('airbox serve --handoff mqtt'):
  --broker URL        e.g. mqtt://127.0.0.1:1883 — a persistent-session QoS 1 subscriber
  --username U        a service account ('airbox device add NAME --service')
  --password P        (or the AIRBOX_WORKER_PASSWORD environment variable)
  --client-id ID      the session name; keep it across restarts (default airbox-worker-<username>)

  --data-dir DIR      the SQLite store (or the InfluxDB spill) and the calibration models
                      (calibration.sqlite, applied as the serve node activates them) (default ./data)
  --host ADDR         address for /metrics and /healthz (default 0.0.0.0)
  --http-port N       port for /metrics and /healthz (default 9464; 0 = a free port)

${DEAD_LETTER_USAGE}

${CLUSTER_USAGE}

${STORE_USAGE}`;

export const WORKER_OPTIONS = {
  broker: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  'client-id': { type: 'string' },
  'worker-id': { type: 'string' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  'http-port': { type: 'string' },
  ...DEAD_LETTER_OPTIONS,
  ...STORE_OPTIONS,
  ...CLUSTER_OPTIONS,
} as const;

type WorkerValues = ReturnType<typeof parseCommandArgs<typeof WORKER_OPTIONS>>['values'];

/** Where the worker's messages come from: the Redis stream, or one broker over MQTT. */
interface MessageSource {
  /** Set when reading the stream, for /metrics and /healthz. */
  consumer: StreamConsumer | undefined;
  /** Said in the `listening` line. */
  fields: Record<string, unknown>;
  /** Finishes the batch in hand; nothing new arrives after it. */
  stop(): Promise<void>;
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run the stream worker as its own process (Redis stream or MQTT subscriber)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values: v } = parseCommandArgs(argv, WORKER_OPTIONS);
    const { password, httpPort } = checkFlags(v);
    const log = jsonLogger(io);
    const dataDir = resolve(v['data-dir'] ?? 'data');
    const cluster = await joinCluster(v, 'airbox-worker');
    const store = await openStore(v, dataDir);
    const models = openModelRegistry({ dataDir, now: io.now });
    const calibration = registryProvider(models, {
      now: io.now,
      onError: (e) => log('calibration-reload-failed', { error: String(e) }),
    });
    const worker = new StreamWorker({
      store,
      now: io.now,
      calibration: calibration.provider,
      deadLetterBudget: deadLetterBudget(v, io.now),
    });
    const source =
      cluster !== null
        ? await streamSource(v, cluster, worker, io, log)
        : await mqttSource(v, password!, worker, io, log);
    const metrics = new MetricsRegistry();
    const { consumer } = source;
    registerMetrics(metrics, { worker, store, consumer });
    const ops = await startOpsHttp(
      metrics,
      () => ({ store: store.kind, ...(consumer ? { partitions: consumer.partitions } : {}) }),
      v.host ?? '0.0.0.0',
      httpPort,
    );
    io.stdout.write(
      JSON.stringify({ event: 'listening', ...source.fields, httpPort: ops.port }) + '\n',
    );
    await waitForSignal();
    log('stopping', { pendingReadings: worker.pendingReadings });
    await source.stop();
    await worker.drain();
    calibration.stop();
    models.close();
    await store.close();
    await ops.close();
    cluster?.redis.disconnect();
    log('stopped', { messages: worker.counters.messagesTotal });
    return 0;
  },
};

/** Exactly one message source, with what it needs; the port of /metrics. */
function checkFlags(v: WorkerValues): { password: string | undefined; httpPort: number } {
  const password = v.password ?? process.env['AIRBOX_WORKER_PASSWORD'];
  if (v.redis !== undefined && v.broker !== undefined) {
    throw new UsageError('give --redis (stream) or --broker (MQTT), not both');
  }
  if (v.redis === undefined && (!v.broker || !v.username || !password)) {
    throw new UsageError(
      '--redis URL, or --broker, --username and --password (or AIRBOX_WORKER_PASSWORD), are required',
    );
  }
  const httpPort = v['http-port'] === undefined ? 9464 : Number(v['http-port']);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    throw new UsageError(`--http-port must be a port number 0–65535, got '${v['http-port']}'`);
  }
  return { password, httpPort };
}

/** A fair share of the stream's partitions, leased; stored readings go to the live map. */
async function streamSource(
  v: WorkerValues,
  cluster: Cluster,
  worker: StreamWorker,
  io: CliIo,
  log: JsonLog,
): Promise<MessageSource> {
  const workerId = v['worker-id'] ?? `${hostname()}-${process.pid}`;
  const handle = (msg: InboundMessage) => worker.handle(msg);
  const consumer = new StreamConsumer({ ...cluster, workerId, handle, now: io.now, log });
  const unpublish = publishLive(worker.live, cluster.redis, cluster.keys);
  await consumer.start();
  return {
    consumer,
    fields: { workerId, partitions: consumer.partitions },
    async stop() {
      await consumer.stop();
      unpublish();
    },
  };
}

/** A persistent-session QoS 1 subscriber of one broker (checkFlags saw the login). */
async function mqttSource(
  v: WorkerValues,
  password: string,
  worker: StreamWorker,
  io: CliIo,
  log: JsonLog,
): Promise<MessageSource> {
  const clientId = v['client-id'] ?? `airbox-worker-${v.username}`;
  const client = await startSubscriberWorker({
    brokerUrl: v.broker!,
    username: v.username!,
    password,
    clientId,
    worker,
    now: io.now,
    onError: (e) => log('worker-error', { message: e.message }),
  });
  return {
    consumer: undefined,
    fields: { clientId, broker: v.broker },
    stop: () => client.endAsync(),
  };
}
