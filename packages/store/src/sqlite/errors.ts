import { CodedError } from '@airbox/contracts';

/** Stable codes, one per way the SQLite store can refuse. */
export type SqliteStoreErrorCode =
  | 'store-path-is-directory'
  | 'store-path-unusable'
  | 'store-open-failed'
  | 'store-schema-too-new'
  | 'store-closed'
  | 'store-invalid-option'
  | 'store-invalid-reading'
  | 'store-invalid-recalibration'
  | 'store-corrupt-row';

/**
 * Thrown (or rejected with) by the SQLite store: the message names the input — a path, a
 * device, an option — says what is wrong and what to do; `cause` keeps the engine's error.
 */
export class SqliteStoreError extends CodedError<SqliteStoreErrorCode> {}

/** The message of anything thrown, for wrapping it in a message of our own. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
