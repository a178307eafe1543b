export * from './types.ts';
export { AlertError, type AlertErrorCode } from './errors.ts';
export { checkWebhookUrl, isPrivateAddress, parseWebhookUrl } from './channels/webhook-address.ts';
