export * from './types.ts';
export { AlertError, type AlertErrorCode } from './errors.ts';
export { checkWebhookUrl, isPrivateAddress, parseWebhookUrl } from './channels/webhook-address.ts';
export {
  AlertDispatcher,
  type DispatcherOptions,
  type DispatchLog,
  type DispatchStats,
} from './deliver/dispatcher.ts';
export { fromOutboxMessage, toOutboxMessage, type Envelope } from './deliver/envelope.ts';
export { quietUntil } from './deliver/quiet-hours.ts';
export type { ChannelSender, Delivery, SendOutcome } from './channels/channel.ts';
export { webhookSender, signature, webhookBody, type WebhookBody } from './channels/webhook.ts';
export { emailSender } from './channels/email.ts';
export { lineSender, lineRetryKey, LINE_DEFAULT_API_URL } from './channels/line.ts';
export { renderMessage, taipeiTime, type RenderedMessage } from './messages.ts';
export {
  UNSUBSCRIBE_KEY_NAME,
  unsubscribeToken,
  unsubscribeUrl,
  verifyUnsubscribeToken,
  type Unsubscriber,
} from './unsubscribe.ts';
export { capAlert, capAtomFeed, capTime, CAP_NS, ATOM_NS, type FeedOptions } from './cap.ts';
export { sendTest, testEvent } from './deliver/test-message.ts';
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
