import type { AlertEvaluator } from '@airbox/alerts';
import { startRefitSchedule, type RunRefit } from '@airbox/calibrate';
import { StreamHandoff, type ReferenceFeed } from '@airbox/ingest';
import {
  brokerDeviceAdmin,
  createApi,
  MetricsRegistry,
  surfaceService,
  type RetainedBroker,
  type SurfaceCompute,
} from '@airbox/web';
import { startReferenceFeedFromOptions } from '../commands/reference.ts';
import { linkBase, type SubscriptionHooks } from './alert-delivery.ts';
import { startDemoFleet, type DemoFleet } from '../demo.ts';
import { EventLoopLag } from '../loop-lag.ts';
import { registerMetrics } from '../serve-metrics.ts';
import { archiveRoot, type ArchiveSchedule } from './archives.ts';
import { storeValues } from '../store-options.ts';
import { TaskRunner } from '../tasks/index.ts';
import type { HealthChecks } from './health.ts';
import type { ServeBase, ServeData, ServeIngest } from './ingest.ts';
import { demoDevices, nonNegative, port, trustProxy } from './options.ts';
import { serveReadiness } from './readiness.ts';

type RefitSchedule = ReturnType<typeof startRefitSchedule>;
type Api = ReturnType<typeof createApi>;

/** The ports every listener is bound to (0 in a flag picks a free one). */
export interface ServePorts {
  mqtt: number;
  ws: number | null;
  tls: number | null;
  http: number | null;
}

/** What watches the process: /metrics, the event-loop lag, and the reference feed. */
export interface ServeMonitoring {
  metrics: MetricsRegistry;
  loopLag: EventLoopLag;
  referenceFeed: ReferenceFeed | null;
}

/**
 * Threads for the CPU-heavy work (refits, surfaces), away from the event loop that answers
 * the boxes and browsers. Two: a refit running for minutes does not keep surfaces waiting,
 * and more would only compete for the cores the loop needs.
 */
export function startTasks(): TaskRunner {
  return new TaskRunner({ maxRunning: 2 });
}

/** /metrics, the event-loop lag, and the reference feed, which registers its own counters. */
export function startMonitoring(
  { v, io, log }: ServeBase,
  { store }: ServeData,
  { worker, broker, sink }: ServeIngest,
  tasks: TaskRunner,
): ServeMonitoring {
  const metrics = new MetricsRegistry();
  const loopLag = new EventLoopLag();
  registerMetrics(metrics, {
    worker,
    store,
    broker,
    handoff: sink instanceof StreamHandoff ? sink : null,
    loopLag,
    tasks,
  });
  const referenceFeed = startReferenceFeedFromOptions(v, { worker, metrics, log, now: io.now });
  return { metrics, loopLag, referenceFeed };
}

/**
 * A refit in a task thread, on its own connections to the model registry and the store;
 * the provider (openData) picks the new models up by the registry's version.
 */
function refitInThread(
  { v, log, dataDir }: ServeBase,
  data: ServeData,
  tasks: TaskRunner,
): RunRefit {
  const registryPath = data.models.path;
  const store = storeValues(v);
  return (nowMs) =>
    tasks.run(
      'calibration-refit',
      { nowMs, dataDir, registryPath, store },
      { onProgress: (p) => log('calibration-refit-progress', { ...p }) },
    );
}

/** The daily refit of calibration models, unless --no-refit. */
export function startRefits(
  base: ServeBase,
  data: ServeData,
  tasks: TaskRunner,
): RefitSchedule | null {
  const { v, io, log } = base;
  if (v['no-refit']) return null;
  return startRefitSchedule(data.models, data.store, {
    now: io.now,
    // The demo fits once its history is in (startDemo), not on an empty store.
    runAtStart: !v.demo,
    runRefit: refitInThread(base, data, tasks),
    onResult: (r, run) =>
      log('calibration-refit', {
        models: r.models.map((m) => m.id),
        skipped: r.skipped.length,
        drift: r.drift.length,
        durationMs: run.durationMs,
      }),
    onError: (e) => log('calibration-refit-failed', { error: (e as Error).message }),
  });
}

/** What the API serves from serve's other parts, each absent when not running. */
export interface ApiServices {
  /** Delivery's questions to the subscriptions (unsubscribe links). */
  alertHooks?: SubscriptionHooks;
  /** The evaluator: the public area alerts ongoing. */
  alerts?: AlertEvaluator | null;
  /** Box health, judged every few minutes. */
  health?: HealthChecks | null;
}

/** The HTTP API and the app, listening; returns it with every bound port. */
export async function startApi(
  base: ServeBase,
  { store, registry, view, models }: ServeData,
  { worker, rawMessages, broker }: ServeIngest,
  { metrics, loopLag }: ServeMonitoring,
  tasks: TaskRunner,
  services: ApiServices = {},
): Promise<{ api: Api; ports: ServePorts }> {
  const { v, io, host, operatorToken, openData, signup, dataDir } = base;
  const alertHooks = services.alertHooks ?? { unsubscriber: null };
  const alerts = services.alerts ?? null;
  const health = services.health ?? null;
  let http: number | null = null;
  // A kriging grid of 1024 cells a side takes seconds: computed in a task thread.
  const computeSurface: SurfaceCompute = (points, query) => tasks.run('surface', { points, query });
  const api = createApi({
    store,
    metrics,
    health: () => ({ ports: broker.ports }),
    readiness: serveReadiness(loopLag, worker, broker.backpressure),
    now: io.now,
    live: worker.live,
    raw: rawMessages,
    models: () => Promise.resolve(models.list({ activeOnly: true })),
    // From the view's memory: each request may ask. `airbox device set` in another process
    // shows within the view's poll.
    indoorDevices: () => view.indoorDeviceIds(),
    hiddenDevices: () => view.privateDeviceIds(),
    exactPositionDevices: () => view.exactPositionDeviceIds(),
    deviceName: (id) => view.device(id)?.name ?? null,
    // Written by the daily archive (archives.ts) or `airbox archive`.
    archiveDir: archiveRoot(dataDir),
    openData,
    ...(health === null ? {} : { boxHealth: () => health.snapshot() }),
    surface: surfaceService(store, {
      now: io.now,
      indoorDevices: () => view.indoorDeviceIds(),
      hiddenDevices: () => view.privateDeviceIds(),
      ...(health === null ? {} : { faultyDevices: () => health.faultyIds() }),
      compute: computeSurface,
    }),
    // Aedes's typings leave out its `persistence`, which every broker instance has.
    deviceAdmin: brokerDeviceAdmin(broker.aedes as unknown as RetainedBroker, view),
    // A box changed through the API shows to the broker and the public routes at once.
    accounts: {
      registry,
      signup,
      ...resetMail(base, () => http),
      afterDeviceChange: () => view.refresh(),
      // Shown with new credentials: the ports a box connects to.
      mqtt: {
        port: broker.ports.mqtt,
        ...(broker.ports.ws === null ? {} : { wsPort: broker.ports.ws }),
      },
    },
    mapStyleUrl: v['map-style'],
    trustProxy: trustProxy(v['trust-proxy']),
    operatorToken,
    deadLetterDrops: () => worker.deadLetterBudget.report(),
    alertPages: {
      outbox: registry.alertOutbox,
      publicUrl: linkBase(base),
      unsubscriber: alertHooks.unsubscriber,
    },
    alerts: {
      allowPrivateWebhooks: v['webhook-allow-private'] ?? false,
      active: () => alerts?.activeAreaAlerts() ?? [],
    },
  });
  await api.listen({ host, port: port('http-port', v['http-port'], 8080) });
  const httpPort = api.server.address();
  http = typeof httpPort === 'object' && httpPort ? httpPort.port : null;
  return { api, ports: { ...broker.ports, http } };
}

/**
 * Password resets by mail, with --smtp-url: the link under --public-url, else this machine's
 * own address and port (fine on a laptop; a deployment gives --public-url).
 */
function resetMail({ mailer, publicUrl }: ServeBase, httpPort: () => number | null) {
  if (mailer === null) return {};
  const linkBase = () => publicUrl ?? new URL(`http://localhost:${httpPort() ?? 8080}/`);
  return { mail: { mailer, linkBase } };
}

/** The address local clients (the demo fleet, the banner) reach the listeners on. */
export function localHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host;
}

/** The demo fleet (--demo), and the refit once its history is in. */
export async function startDemo(
  { v, io, log, host, dataDir }: ServeBase,
  { devices }: ServeData,
  ports: ServePorts,
  refits: RefitSchedule | null,
  archives: ArchiveSchedule | null,
): Promise<DemoFleet | null> {
  if (!v.demo) return null;
  const demo = await startDemoFleet({
    registry: devices,
    broker: { host: localHost(host), port: ports.mqtt },
    devices: demoDevices(v),
    historyHours: nonNegative('demo-history-hours', v['demo-history-hours'], 72),
    dataDir,
    now: io.now,
    log,
  });
  // The demo's history carries the co-located pairs: fit on it once it is in.
  // …and archive its days, so the download page lists them.
  void demo.history.then(async () => {
    await refits?.runNow();
    await archives?.runNow();
  });
  return demo;
}

/** One JSON line with the ports on stdout (scripts wait for it), a banner on stderr. */
export function announce(
  { io, host, dataDir, handoff }: ServeBase,
  ports: ServePorts,
  demo: DemoFleet | null,
): void {
  const local = localHost(host);
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
}
