import {
  calibratedOrNull,
  calibrationInput,
  IDENTITY_MODEL,
  type CalibrationProvider,
  type Reading,
} from '@airbox/contracts';

/**
 * Reference stations are the truth calibration aims at: never recalibrated. Readings that
 * arrive calibrated (LASS archives carry LASS's own `c_d0`) keep their model, and their
 * value unless the PM2.5 is unusable. A reading whose PM2.5 is unusable (out of range,
 * stuck) gets no calibrated value but the model id that would have calibrated it; values
 * left out by their flags reach neither the provider nor the model (calibrationInput).
 */
export function calibrate(readings: Reading[], provider: CalibrationProvider): void {
  for (const r of readings) {
    if (r.calibrationModel !== undefined) {
      const arrived = r.pm25CalibratedUgM3;
      if (arrived !== undefined) r.pm25CalibratedUgM3 = calibratedOrNull(r, arrived);
      continue;
    }
    const input = calibrationInput(r);
    const model = r.kind === 'reference' ? IDENTITY_MODEL : provider(input);
    r.pm25CalibratedUgM3 = calibratedOrNull(r, model.apply(input));
    r.calibrationModel = model.id;
  }
}
