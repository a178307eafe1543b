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
