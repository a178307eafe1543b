import { CodedError } from '@airbox/contracts';

/** Stable codes for everything the PMS driver and codec can refuse or fail at. */
export type PmsErrorCode =
  | 'PMS_VALUE_OUT_OF_RANGE'
  | 'PMS_READ_TIMEOUT'
  | 'PMS_ASLEEP'
  | 'PMS_COMMAND_UNSUPPORTED'
  | 'PMS_WRITE_FAILED'
  | 'PMS_PORT_ERROR'
  | 'PMS_CLOSED';

/** An error with a stable `code`; its message says what was wrong and what to do next. */
export class PmsError extends CodedError<PmsErrorCode> {}
