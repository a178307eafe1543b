import type { RunningBroker, StreamConsumer, StreamHandoff, StreamWorker } from '@airbox/ingest';
import type { ReadingStore } from '@airbox/store';
import type { MetricLabels, MetricsRegistry, MetricType } from '@airbox/web';
import type { EventLoopLag } from './loop-lag.ts';
import { backpressureMetrics, pendingConnectionMetrics } from './broker-metrics.ts';
import type { TaskRunner } from './tasks/index.ts';

/** One metric: its name, type, help text, how to read it now, and its labels if any. */
export type Metric = [
  name: string,
  type: MetricType,
  help: string,
  read: () => number,
  labels?: MetricLabels,
];

/** What an operator watches on /metrics: ingest rate, backlog, dead letters, buffers. */
export function registerMetrics(
  m: MetricsRegistry,
  parts: {
    worker: StreamWorker;
    store: ReadingStore;
    broker?: RunningBroker;
    handoff?: StreamHandoff | null;
    consumer?: StreamConsumer;
    loopLag?: EventLoopLag;
    tasks?: TaskRunner;
  },
): void {
  const { worker, store, broker, handoff, consumer, loopLag, tasks } = parts;
  const metrics: Metric[] = [
    ...workerMetrics(worker),
    ...storeMetrics(store),
    ...memoryMetrics(worker),
    ...(broker ? brokerMetrics(broker) : []),
    ...(handoff ? handoffMetrics(handoff) : []),
    ...(consumer ? consumerMetrics(consumer) : []),
    ...(loopLag ? loopLagMetrics(loopLag) : []),
    ...(tasks ? taskMetrics(tasks) : []),
  ];
  for (const [name, type, help, read, labels] of metrics)
    m.register(name, type, help, read, labels);
}

/**
 * How late the event loop runs (p50, p99 and, as quantile 1, the max), over the last 5–10 s:
 * the loop answers MQTT, HTTP and the live streams, so its delay is every client's wait.
 */
function loopLagMetrics(lag: EventLoopLag): Metric[] {
  const help = `Event-loop delay over the last ${lag.windowMs / 1000} s (quantile 1 is the max)`;
  const name = 'airbox_event_loop_lag_seconds';
  return [
    [name, 'gauge', help, () => lag.stats().p50Ms / 1000, { quantile: '0.5' }],
    [name, 'gauge', help, () => lag.stats().p99Ms / 1000, { quantile: '0.99' }],
    [name, 'gauge', help, () => lag.stats().maxMs / 1000, { quantile: '1' }],
  ];
}

/** Work done in task threads (refits, surfaces), off the event loop. */
function taskMetrics(tasks: TaskRunner): Metric[] {
  return [
    ['airbox_tasks_running', 'gauge', 'Tasks running in worker threads', () => tasks.running],
    ['airbox_tasks_queued', 'gauge', 'Tasks waiting for a worker thread', () => tasks.queued],
  ];
}

/** The stream worker: messages in, readings stored, and what it could not store. */
function workerMetrics(worker: StreamWorker): Metric[] {
  const c = worker.counters;
  return [
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
    [
      'airbox_dead_letters_total',
      'counter',
      'Messages the worker dead-lettered (stored within the dead-letter budget, else dropped)',
      () => c.deadLetters,
    ],
    [
      'airbox_dead_letters_dropped_total',
      'counter',
      'Dead letters (refused or undecodable messages) not stored: over their client’s bytes an hour, or too many a second',
      () => worker.deadLetterBudget.droppedTotal,
    ],
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
  ];
}

/** The store's own buffers: what is not yet durable, parked on disk, dropped or retried. */
function storeMetrics(store: ReadingStore): Metric[] {
  return [
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
  ];
}

/** What holds memory: the QC history and the process as a whole. */
function memoryMetrics(worker: StreamWorker): Metric[] {
  return [
    [
      'airbox_qc_tracked_devices',
      'gauge',
      'Devices whose QC history is kept',
      () => worker.trackedDevices,
    ],
    [
      'process_resident_memory_bytes',
      'gauge',
      'Resident set size',
      () => process.memoryUsage.rss(),
    ],
  ];
}

function brokerMetrics(broker: RunningBroker): Metric[] {
  return [
    [
      'airbox_mqtt_connected_clients',
      'gauge',
      'MQTT clients connected',
      () => broker.aedes.connectedClients,
    ],
    [
      'airbox_publish_refused_total',
      'counter',
      'PUBLISHes the broker refused (not authorized, rate limited, too large); kept as dead letters',
      () => broker.refusedTotal,
    ],
    ...brokerStateMetrics(broker.tracked),
    ...backpressureMetrics(broker.backpressure),
  ];
}

/** The broker's bounded per-device and per-connection state, and the connections it refused. */
function brokerStateMetrics(t: RunningBroker['tracked']): Metric[] {
  return [
    [
      'airbox_rate_limit_tracked_devices',
      'gauge',
      'Devices whose rate-limit bucket is kept',
      () => t.rateLimitedDevices,
    ],
    [
      'airbox_anonymous_tracked_devices',
      'gauge',
      'Anonymous LASS device_ids heard from in the last hour',
      () => t.anonymousDevices,
    ],
    [
      'airbox_anonymous_connected_clients',
      'gauge',
      'Anonymous LASS clients connected',
      () => t.anonymousConnections,
    ],
    [
      'airbox_connections_refused_total',
      'counter',
      'TCP connections closed at once by the per-address or total connection cap',
      () => t.connectionsRefused,
    ],
    ...pendingConnectionMetrics(t),
  ];
}

/** The broker's hand-off to the Redis stream (--handoff stream). */
function handoffMetrics(handoff: StreamHandoff): Metric[] {
  const h = handoff.counters;
  return [
    [
      'airbox_stream_appended_total',
      'counter',
      'Messages queued in the Redis stream',
      () => h.appended,
    ],
    [
      'airbox_stream_append_failures_total',
      'counter',
      'Messages Redis refused (not acknowledged to the device)',
      () => h.failures,
    ],
  ];
}

/** A worker reading the Redis stream (`airbox worker --redis`). */
function consumerMetrics(consumer: StreamConsumer): Metric[] {
  const k = consumer.counters;
  return [
    [
      'airbox_stream_entries_stored_total',
      'counter',
      'Stream entries stored and acknowledged',
      () => k.entriesStored,
    ],
    [
      'airbox_stream_entries_failed_total',
      'counter',
      'Stream entries the store could not take (read again later)',
      () => k.entriesFailed,
    ],
    [
      'airbox_stream_entries_claimed_total',
      'counter',
      'Pending entries taken over from another worker',
      () => k.claimed,
    ],
    [
      'airbox_stream_backlog_entries',
      'gauge',
      'Entries waiting in the partitions this worker holds (lag)',
      () => consumer.backlogEntries,
    ],
    [
      'airbox_stream_partitions_owned',
      'gauge',
      'Stream partitions this worker holds a lease on',
      () => consumer.partitions.length,
    ],
  ];
}
