import type { RunningBroker } from '@airbox/ingest';
import type { Metric } from './serve-metrics.ts';

/** Ingest held back for the event loop (ingest/src/broker/backpressure.ts). */
export function backpressureMetrics(b: RunningBroker['backpressure']): Metric[] {
  return [
    [
      'airbox_ingest_pauses_total',
      'counter',
      'Times the broker stopped handling PUBLISHes because the event loop ran late',
      () => b.pauses,
    ],
    [
      'airbox_ingest_paused_seconds_total',
      'counter',
      'Seconds the broker spent not handling PUBLISHes for a late event loop',
      () => b.pausedSeconds,
    ],
    [
      'airbox_ingest_held_publishes',
      'gauge',
      'PUBLISHes received and waiting to be handled (their PUBACKs wait too)',
      () => b.heldCount,
    ],
  ];
}

/** Connections accepted that have not yet sent a whole CONNECT, and those closed before it. */
export function pendingConnectionMetrics(t: RunningBroker['tracked']): Metric[] {
  const closed = 'airbox_connections_closed_before_connect_total';
  const help =
    'Connections closed before their CONNECT arrived: no CONNECT within --connect-timeout, or over --max-pending-connections';
  return [
    [
      'airbox_connections_pending',
      'gauge',
      'Connections accepted that have not yet sent a whole CONNECT',
      () => t.pendingConnections,
    ],
    [closed, 'counter', help, () => t.connectTimeouts, { reason: 'connect-timeout' }],
    [closed, 'counter', help, () => t.pendingCapClosed, { reason: 'pending-cap' }],
  ];
}
