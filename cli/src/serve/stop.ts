import type { AlertDispatcher } from '@airbox/alerts';
import type { AlertEvaluator } from '@airbox/alerts';
import type { DemoFleet } from '../demo.ts';
import type { TaskRunner } from '../tasks/index.ts';
import type { ArchiveSchedule } from './archives.ts';
import type { HealthChecks } from './health.ts';
import type { ServeBase, ServeData, ServeIngest } from './ingest.ts';
import type { ServeMonitoring, startApi, startRefits } from './services.ts';

/** Everything a running `airbox serve` holds, for stopServe. */
export interface RunningServe {
  base: ServeBase;
  data: ServeData;
  ingest: ServeIngest;
  monitoring: ServeMonitoring;
  tasks: TaskRunner;
  refits: ReturnType<typeof startRefits>;
  archives: ArchiveSchedule | null;
  /** Alert delivery from the registry's outbox. */
  delivery: AlertDispatcher;
  alerts: AlertEvaluator | null;
  health: HealthChecks | null;
  api: Awaited<ReturnType<typeof startApi>>['api'];
  demo: DemoFleet | null;
}

/**
 * Stops in an order that loses nothing: the demo and the broker first (no new messages;
 * those accepted are in the worker's queue), then the feeds and the task threads (a refit
 * cut short keeps the models it activated so far, each in its own transaction, and its
 * connections close with its thread), the worker drained into the store, the relays and the API, and the
 * store and registries last.
 */
export async function stopServe(s: RunningServe): Promise<void> {
  const { log, cluster } = s.base;
  const { store, registry, view, models, calibration } = s.data;
  const { worker, broker, stopRelay, rawRelay } = s.ingest;
  log('stopping', { pendingReadings: worker.pendingReadings });
  await s.demo?.stop();
  await broker.close();
  await s.monitoring.referenceFeed?.stop();
  s.refits?.stop();
  s.archives?.stop();
  s.health?.stop();
  await s.tasks.stop();
  s.monitoring.loopLag.stop();
  calibration.stop();
  await worker.drain();
  // After the worker: the last readings are evaluated and the state written before the registry closes.
  await s.alerts?.stop();
  await stopRelay?.();
  await rawRelay?.close();
  await s.api.close();
  // Its sends under way finish (each bounded by a timeout); what is left waits in the outbox.
  await s.delivery.stop();
  await store.close();
  cluster?.redis.disconnect();
  models.close();
  view.close();
  await registry.close();
  s.base.mailer?.close();
  log('stopped', {});
}
