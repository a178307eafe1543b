import { calibratedOrNull, calibrationInput, type StoredReading } from '@airbox/contracts';
import type {
  RecalibrateOptions,
  RecalibrateQuery,
  RecalibrateResult,
  Recalibrator,
} from './port.ts';

/**
 * What both adapters share in `recalibrate`: the checks of its input, the decision per
 * reading and the running totals. The engine-specific part (reading a chunk, rewriting it
 * durably) stays in each adapter.
 */

/** Big enough that per-chunk overhead (a transaction, a query) is amortised, small in memory. */
export const DEFAULT_RECALIBRATE_CHUNK = 5_000;
const MAX_RECALIBRATE_CHUNK = 1_000_000;

export type Decision =
  | { kind: 'reference' }
  | { kind: 'unchanged' }
  | { kind: 'update'; value: number | null; model: string };

const REFERENCE: Decision = { kind: 'reference' };
const UNCHANGED: Decision = { kind: 'unchanged' };

/** Makes the adapter's own error (with its stable code) from a message. */
export type Refuse = (message: string) => Error;

/** The chunk size to use, or a refusal naming the option. */
export function checkRecalibrateInput(
  query: RecalibrateQuery,
  options: RecalibrateOptions,
  refuse: Refuse,
): number {
  for (const key of ['fromMs', 'toMs'] as const) {
    if (typeof query[key] !== 'number' || Number.isNaN(query[key])) {
      throw refuse(`recalibrate: ${key} is ${String(query[key])}, not epoch milliseconds`);
    }
  }
  const chunkSize = options.chunkSize ?? DEFAULT_RECALIBRATE_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_RECALIBRATE_CHUNK) {
    throw refuse(
      `recalibrate: chunkSize ${chunkSize} is not an integer in 1…${MAX_RECALIBRATE_CHUNK}`,
    );
  }
  return chunkSize;
}

/**
 * Reference readings are never recalibrated (they are what calibration aims at); a null
 * from the recalibrator, or the value and model already stored, need no write. As in the
 * worker, the recalibrator sees no value its flags leave out (calibrationInput), and a
 * reading whose PM2.5 is unusable gets no value, only the model's id.
 */
export function decide(reading: StoredReading, calibrate: Recalibrator, refuse: Refuse): Decision {
  if (reading.kind === 'reference') return REFERENCE;
  const next = calibrate(calibrationInput(reading));
  if (next === null) return UNCHANGED;
  const { model } = next;
  const value = calibratedOrNull(reading, next.value);
  const what = `reading of ${JSON.stringify(reading.deviceId)} at ${reading.time}`;
  if (model.trim() === '') {
    throw refuse(`recalibrate: the model id for the ${what} is ${JSON.stringify(model)}`);
  }
  if (value !== null && !Number.isFinite(value)) {
    throw refuse(
      `recalibrate: model ${model} gave ${String(value)} for the ${what}; ` +
        'a model returns null for a reading it cannot calibrate',
    );
  }
  const same =
    value === (reading.pm25CalibratedUgM3 ?? null) && model === (reading.calibrationModel ?? null);
  return same ? UNCHANGED : { kind: 'update', value, model };
}

/** Running totals, reported after each chunk and returned at the end. */
export class RecalibrationTally {
  updated = 0;
  unchanged = 0;
  references = 0;
  notCleared = 0;

  count(decision: Decision): void {
    if (decision.kind === 'reference') this.references++;
    else if (decision.kind === 'unchanged') this.unchanged++;
    else this.updated++;
  }

  result(): RecalibrateResult {
    const { updated, unchanged, references, notCleared } = this;
    return { updated, unchanged, references, notCleared };
  }
}

/** Byte order of ASCII device ids, as SQLite's BINARY collation and InfluxDB sort them. */
export function sortedUnique(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
