import { CodedError } from '@airbox/contracts';

/**
 * Stable codes, one per way an input can be wrong. The message says which input, what was
 * wrong with it and what to do; `code` is for programs to branch on.
 */
export const CALIBRATION_ERROR_CODES = {
  'too-few-points': 'Fewer usable pairs than the model has parameters + 2.',
  'zero-variance': 'A predictor or the reference does not vary, so no slope can be fitted.',
  'non-finite-input': 'A value given to a fit or a metric is NaN or ±Infinity.',
  'singular-design': 'The predictors are collinear (one is a linear function of the others).',
  'no-convergence': 'An iterative fit did not settle within its iteration bound.',
  'too-few-sites': 'Leave-one-site-out needs pairs from at least two sites.',
  'empty-file': 'The file has no header line.',
  'file-too-large': 'The file is larger than the reader accepts.',
  'missing-columns': 'The header lacks columns the format requires.',
  'unknown-format': 'The header matches no known format.',
  'non-numeric-cell': 'A cell that must hold a number holds something else.',
  'bad-row': 'A row has fewer cells than the header, an empty site, or an unparsable time.',
  'out-of-range': 'A value is outside the range its unit allows (e.g. RH above 100 %).',
  'units-off-by-1000': 'Concentrations are 1000× plausible µg/m³ values: probably ng/m³.',
  'no-pairs': 'The file has no row with both a raw and a reference value.',
  'site-without-data': 'A site has rows but none with both a raw and a reference value.',
  'bad-params': 'Stored model parameters lack a value the method needs, or hold a non-number.',
  'unknown-method': 'A stored model names a method this version does not have.',
  'no-colocations': 'No box with a known position is within the pairing distance of a station.',
  'empty-window': 'The co-located boxes have no readings in the time window.',
  'station-without-data':
    'The stations the boxes are co-located with have no readings in the window.',
  'invalid-option': 'An option is outside the range it allows (e.g. a window of 0 days).',
  'unknown-model': 'No model with this id is in the registry.',
  'registry-unusable': 'The model registry file cannot be opened or is not a registry.',
} as const;
export type CalibrationErrorCode = keyof typeof CALIBRATION_ERROR_CODES;

export class CalibrationError extends CodedError<CalibrationErrorCode> {
  constructor(code: CalibrationErrorCode, message: string) {
    super(code, message);
  }
}
