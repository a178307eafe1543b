import { CodedError } from '@airbox/contracts';

/** Stable codes for what the device runtime can refuse or fail at. */
export type DeviceErrorCode =
  /** The config file or a CLI flag holds a value the device cannot run with. */
  | 'DEVICE_CONFIG_INVALID'
  /** The config file could not be read or is not JSON. */
  | 'DEVICE_CONFIG_UNREADABLE'
  /** A config message on the retained config topic was refused (the device keeps running). */
  | 'DEVICE_REMOTE_CONFIG_INVALID'
  /** The offline buffer could not write or read its directory. */
  | 'DEVICE_BUFFER_IO'
  /** Every sample of a report failed, so no reading was made. */
  | 'DEVICE_NO_SAMPLES';

/** An error with a stable `code`; its message says what was wrong and what to do next. */
export class DeviceError extends CodedError<DeviceErrorCode> {}
