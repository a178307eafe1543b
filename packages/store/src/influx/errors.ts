import { CodedError } from '@airbox/contracts';

/**
 * Stable error codes of the InfluxDB adapter, each with what to do about it. A caller (the
 * stream worker, the API, /metrics) switches on `code`; the message names the input.
 */
export const INFLUX_ERROR_CODES = {
  'influx-config-invalid': 'Fix the listed config fields; the store was not opened.',
  'influx-invalid-reading':
    'The reading has no valid `time`: fix the producer; the store cannot key it.',
  'influx-unavailable':
    'The server could not be reached or answered 5xx/401/403/404/429: points are spilled to disk and replayed; check the server, credentials and database.',
  'influx-refused':
    'The server refused the point with 4xx (schema conflict, time out of range): it went to the dead letters; fix the cause and re-post its payload (line protocol).',
  'influx-spill-full':
    'The spill directory reached maxSpillBytes while the server is down: write() rejects so the message stays unacknowledged; restore the server or raise the bound.',
  'influx-spill-failed':
    'Writing or syncing the spill directory failed: check its permissions and free space.',
  'influx-query-failed':
    'The InfluxQL query failed: the message carries the server error; check the database/DBRP mapping and that the server serves /query.',
  'influx-bad-row': 'The server returned a row this adapter did not write: check the schema.',
  'influx-store-closed': 'The store was closed: open a new one.',
  'influx-invalid-recalibration':
    'recalibrate() got a bad range or option, or the model gave a non-finite value: fix the caller or the model.',
  'influx-spill-pending':
    'Readings are still spilled to disk: a recalibration now could be overwritten when they are replayed; wait until stats().spilledReadings is 0 and run it again.',
} as const;
export type InfluxErrorCode = keyof typeof INFLUX_ERROR_CODES;

/** The message carries the code and what to do about it (also in `hint`), for logs that print only the message. */
export class InfluxStoreError extends CodedError<InfluxErrorCode> {
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(
    code: InfluxErrorCode,
    message: string,
    opts: { cause?: unknown; status?: number } = {},
  ) {
    const hint = INFLUX_ERROR_CODES[code];
    super(code, `${code}: ${message} — ${hint}`, { cause: opts.cause, hint });
    this.status = opts.status;
  }
}

/** The message of anything thrown, with the network code where Node gives one. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? `: ${describeError(err.cause)}` : '';
  return `${typeof code === 'string' ? `${code} ` : ''}${err.message}${cause}`;
}
