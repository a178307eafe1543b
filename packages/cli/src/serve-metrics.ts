import type { RunningBroker, StreamWorker } from '@airbox/ingest';
import type { ReadingStore } from '@airbox/store';
import type { MetricsRegistry } from '@airbox/web';

/** What an operator watches on /metrics: ingest rate, backlog, dead letters, buffers. */
export function registerMetrics(
  m: MetricsRegistry,
  parts: { worker: StreamWorker; store: ReadingStore; broker: RunningBroker },
): void {
  const { worker, store, broker } = parts;
  const c = worker.counters;
  m.register(
    'airbox_messages_total',
    'counter',
    'MQTT messages handled by the stream worker',
    () => c.messagesTotal,
  );
  m.register(
    'airbox_readings_stored_total',
    'counter',
    'Readings accepted into the store',
    () => c.readingsStored,
  );
  m.register(
    'airbox_readings_duplicate_total',
    'counter',
    'Readings dropped as already seen',
    () => c.readingsDuplicate,
  );
  m.register(
    'airbox_dead_letters_total',
    'counter',
    'Messages kept as dead letters',
    () => c.deadLetters,
  );
  m.register(
    'airbox_store_failures_total',
    'counter',
    'Store writes that failed (message not acknowledged)',
    () => c.storeFailures,
  );
  m.register(
    'airbox_write_queue_readings',
    'gauge',
    'Readings waiting for the store',
    () => worker.pendingReadings,
  );
  m.register(
    'airbox_store_pending_readings',
    'gauge',
    'Readings accepted by the store but not yet durable',
    () => store.stats().pendingReadings,
  );
  m.register(
    'airbox_store_spilled_readings',
    'gauge',
    'Readings parked on disk while the store is down',
    () => store.stats().spilledReadings,
  );
  m.register(
    'airbox_store_dropped_readings_total',
    'counter',
    'Readings dropped at a buffer bound',
    () => store.stats().droppedReadings,
  );
  m.register(
    'airbox_qc_tracked_devices',
    'gauge',
    'Devices whose QC history is kept',
    () => worker.trackedDevices,
  );
  m.register(
    'airbox_mqtt_connected_clients',
    'gauge',
    'MQTT clients connected',
    () => broker.aedes.connectedClients,
  );
  m.register('process_resident_memory_bytes', 'gauge', 'Resident set size', () =>
    process.memoryUsage.rss(),
  );
}
