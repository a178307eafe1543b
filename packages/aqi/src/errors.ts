/** Stable codes, one per way an input can be wrong. */
export type AqiErrorCode =
  | 'invalid-concentration'
  | 'invalid-time'
  | 'no-table-in-force'
  | 'too-many-hours'
  | 'invalid-hourly-value';

/**
 * Thrown for input no table can answer: the message names the value, why it was refused and
 * what to do instead; `code` is stable for programs to branch on. A RangeError rather than a
 * CodedError (@airbox/contracts), as the AQI functions document and callers catch it; it has
 * the same `code` and `message`. (A class has one base: it cannot be both.)
 */
export class AqiRangeError extends RangeError {
  readonly code: AqiErrorCode;

  constructor(code: AqiErrorCode, message: string) {
    super(message);
    this.name = 'AqiRangeError';
    this.code = code;
  }
}

/** Throws unless `valueUgM3` is a finite, non-negative concentration. */
export function assertConcentration(valueUgM3: number, what: string): void {
  if (!Number.isFinite(valueUgM3)) {
    throw new AqiRangeError(
      'invalid-concentration',
      `${what} ${String(valueUgM3)} µg/m³ is not a finite number; pass a measured concentration`,
    );
  }
  if (valueUgM3 < 0) {
    throw new AqiRangeError(
      'invalid-concentration',
      `${what} ${valueUgM3} µg/m³ is negative; clamp or discard the reading before computing an AQI`,
    );
  }
}
