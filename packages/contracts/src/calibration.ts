import { pm25Usable, valueExcluded } from './flags.ts';
import { MEASURES } from './measures.ts';
import type { Reading } from './reading.ts';

/**
 * A calibration model as the worker applies it. calibrate/ fits and publishes models; the
 * worker only asks the provider for the active one for each reading, so a new model takes
 * effect without a restart.
 */
export interface CalibrationModel {
  /** Stored beside every value it produces, e.g. `epa-barkjohn-2021@1`. */
  id: string;
  /** Calibrated PM2.5 (µg/m³), or null when this reading cannot be calibrated. */
  apply(reading: Reading): number | null;
}

/** Which model calibrates this reading (calibrate's registry provider, or the identity). */
export type CalibrationProvider = (reading: Reading) => CalibrationModel;

/** With no model: calibrated = raw, said so by the model id. */
export const IDENTITY_MODEL: CalibrationModel = {
  id: 'identity',
  apply: (r) => r.pm25UgM3,
};

export const identityProvider: CalibrationProvider = () => IDENTITY_MODEL;

/**
 * What a model (and the provider choosing it) sees of a reading: a value its flags leave
 * out (flags.ts, valueExcluded: out of range) reads as null, as if it had not been
 * reported, so an RH of 150 % never reaches an RH correction, which returns null for it and
 * the provider's chain moves on. The reading itself when nothing is left out.
 */
export function calibrationInput<R extends Reading>(reading: R): R {
  let input = reading;
  for (const measure of MEASURES) {
    if (reading[measure.field] === null || !valueExcluded(measure, reading.flags)) continue;
    if (input === reading) input = { ...reading };
    input[measure.field] = null;
  }
  return input;
}

/**
 * The calibrated PM2.5 `value` stands for, for this reading: none when a flag makes its
 * PM2.5 unusable (pm25Usable; e.g. out of range, stuck), whatever a model made of it.
 */
export function calibratedOrNull(reading: Reading, value: number | null): number | null {
  return pm25Usable(reading.flags) ? value : null;
}
