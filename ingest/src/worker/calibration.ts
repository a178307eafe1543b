import { IDENTITY_MODEL, type CalibrationProvider, type Reading } from '@airbox/contracts';

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
