export * from './broker/broker.ts';
export * from './broker/acl.ts';
export { DEFAULT_ANONYMOUS_IDS_PER_MINUTE } from './broker/anonymous-ids.ts';
export { DEFAULT_MAX_ANONYMOUS_CONNECTIONS } from './broker/checks/anonymous-connections.ts';
export {
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  FALLBACK_MAX_CONNECTIONS,
  defaultMaxConnections,
} from './broker/connection-caps.ts';
export { DEFAULT_BACKPRESSURE_LAG_MS } from './broker/backpressure.ts';
export {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_CONNECTIONS,
} from './broker/pending-connections.ts';
export * from './worker/stream-worker.ts';
export * from './worker/calibration.ts';
export * from './worker/subscriber.ts';
export { LiveBus } from './worker/live.ts';
export { QC_LIMITS } from './worker/qc.ts';
export * from './reference/index.ts';
export * from './cluster/index.ts';
export {
  RawBus,
  type RawBusOptions,
  type RawListener,
  type TappedMessage,
} from './broker/raw-bus.ts';
export {
  DeadLetterBudget,
  DEFAULT_DEAD_LETTER_BUDGET,
  type DeadLetterBudgetOptions,
} from './worker/dead-letter-budget.ts';
