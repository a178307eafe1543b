export * from './types.ts';
export { AlertError, type AlertErrorCode } from './errors.ts';
export { checkWebhookUrl, isPrivateAddress, parseWebhookUrl } from './channels/webhook-address.ts';
export {
  alertInputSchema,
  alertTargetSchema,
  alertChannelSchema,
  checkSubscription,
  toSubscription,
  specJson,
  EVALUATED_KINDS,
  type AlertInput,
  type StoredSpec,
} from './spec.ts';
export {
  AlertEvaluator,
  type ActiveAreaAlert,
  type EvaluatorOptions,
} from './evaluate/evaluator.ts';
export type { DeviceDirectory } from './evaluate/watches.ts';
export { mayWatchBox, mayWatchOrg, type AccessRegistry } from './evaluate/access.ts';
export { MemoryOutbox, LogOutbox } from './evaluate/memory-outbox.ts';
export { areaTest, type AreaTest } from './evaluate/areas.ts';
