import type { RunningBroker, StreamWorker } from '@airbox/ingest';
import type { ReadingStore } from '@airbox/store';
import type { MetricsRegistry, MetricType } from '@airbox/web';

/** What an operator watches on /metrics: ingest rate, backlog, dead letters, buffers. */
export function registerMetrics(
  m: MetricsRegistry,
  parts: { worker: StreamWorker; store: ReadingStore; broker: RunningBroker },
): void {
  const { worker, store, broker } = parts;
  const c = worker.counters;
  const metrics: [string, MetricType, string, () => number][] = [
    [
      'airbox_messages_total',
      'counter',
      'MQTT messages handled by the stream worker',
      () => c.messagesTotal,
    ],
    [
      'airbox_readings_stored_total',
      'counter',
      'Readings newly written to the store',
      () => worker.storeTotals.written,
    ],
    [
      'airbox_readings_duplicate_total',
      'counter',
      'Readings already seen or already stored (redeliveries, re-sent backlogs)',
      () => c.readingsDuplicate + worker.storeTotals.duplicates,
    ],
    ['airbox_dead_letters_total', 'counter', 'Messages kept as dead letters', () => c.deadLetters],
    [
      'airbox_store_failures_total',
      'counter',
      'Store writes that failed (message not acknowledged)',
      () => c.storeFailures,
    ],
    [
      'airbox_write_queue_readings',
      'gauge',
      'Readings waiting for the store',
      () => worker.pendingReadings,
    ],
    [
      'airbox_store_pending_readings',
      'gauge',
      'Readings accepted by the store but not yet durable',
      () => store.stats().pendingReadings,
    ],
    [
      'airbox_store_spilled_readings',
      'gauge',
      'Readings parked on disk while the store is down',
      () => store.stats().spilledReadings,
    ],
    [
      'airbox_store_dropped_readings_total',
      'counter',
      'Readings dropped at a buffer bound',
      () => store.stats().droppedReadings,
    ],
    ['airbox_store_retries_total', 'counter', 'Store writes retried', () => store.stats().retries],
    [
      'airbox_qc_tracked_devices',
      'gauge',
      'Devices whose QC history is kept',
      () => worker.trackedDevices,
    ],
    [
      'airbox_mqtt_connected_clients',
      'gauge',
      'MQTT clients connected',
      () => broker.aedes.connectedClients,
    ],
    [
      'process_resident_memory_bytes',
      'gauge',
      'Resident set size',
      () => process.memoryUsage.rss(),
    ],
  ];
  for (const [name, type, help, read] of metrics) m.register(name, type, help, read);
}
