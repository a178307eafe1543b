import { CodedError } from '@airbox/contracts';

/** Stable codes for what the T/RH sensor over Firmata can refuse or fail at. */
export type ClimateErrorCode =
  /** `openClimateSensor` got options it cannot run with (no board, two boards, bad address). */
  | 'CLIMATE_OPTIONS_INVALID'
  /** johnny-five or firmata-io is not installed, or not in the shape this code expects. */
  | 'CLIMATE_LIBRARY_MISSING'
  /** The serial port could not be opened or failed. */
  | 'CLIMATE_PORT_ERROR'
  /** The Firmata board reported an error or closed the connection. */
  | 'CLIMATE_BOARD_ERROR'
  /** No first reading within `readTimeoutMs` of opening. */
  | 'CLIMATE_OPEN_TIMEOUT'
  /** The newest reading is older than `staleAfterMs`. */
  | 'CLIMATE_STALE'
  /** The sensor was closed. */
  | 'CLIMATE_CLOSED';

/** An error with a stable `code`; its message names the sensor, the port and what to check. */
export class ClimateError extends CodedError<ClimateErrorCode> {}
