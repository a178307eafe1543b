import type { Reading } from '@airbox/protocol';

/**
 * A calibration model as the worker applies it. The calibrate/ package fits and publishes
 * models; the worker only asks the provider for the active one for each reading, so a new
 * model takes effect without a restart.
 */
export interface CalibrationModel {
  /** Stored beside every value it produces, e.g. `epa-barkjohn-2021@1`. */
  id: string;
  /** Calibrated PM2.5 (µg/m³), or null when this reading cannot be calibrated. */
  apply(reading: Reading): number | null;
}

export type CalibrationProvider = (reading: Reading) => CalibrationModel;

/** With no model: calibrated = raw, said so by the model id. */
export const IDENTITY_MODEL: CalibrationModel = {
  id: 'identity',
  apply: (r) => r.pm25UgM3,
};

export const identityProvider: CalibrationProvider = () => IDENTITY_MODEL;

/**
 * Reference stations are the truth calibration aims at: never recalibrated. Readings that
 * arrive calibrated (LASS archives carry LASS's own `c_d0`) keep their value and model.
 */
export function calibrate(readings: Reading[], provider: CalibrationProvider): void {
  for (const r of readings) {
    if (r.calibrationModel !== undefined) continue;
    const model = r.kind === 'reference' ? IDENTITY_MODEL : provider(r);
    r.pm25CalibratedUgM3 = model.apply(r);
    r.calibrationModel = model.id;
  }
}
