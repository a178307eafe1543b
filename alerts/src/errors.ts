import { CodedError } from '@airbox/contracts';

export type AlertErrorCode =
  | 'invalid-alert'
  | 'invalid-webhook-url'
  | 'private-webhook-address'
  | 'not-found'
  | 'mail-not-configured';

/** A subscription or message that cannot be taken as given; HTTP answers it as 400 (404 for not-found). */
export class AlertError extends CodedError<AlertErrorCode> {}
