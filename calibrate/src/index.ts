export { CALIBRATION_ERROR_CODES, CalibrationError, type CalibrationErrorCode } from './errors.ts';
export type { Method, ModelInput, Pair, Profile } from './types.ts';
export * from './models/index.ts';
export {
  checkTargets,
  computeMetrics,
  EPA_PM25_TARGETS,
  evaluateProfile,
  groupBySite,
  leaveOneSiteOut,
  pickMethod,
  predictPairs,
  type Fold,
  type LosoResult,
  type Metrics,
  type Pick,
  type TargetCheck,
} from './validate.ts';
export {
  MAX_FILE_BYTES,
  PAIR_FORMAT_IDS,
  parsePairs,
  readPairFile,
  requiredColumns,
  UNITS_MEDIAN_LIMIT_UGM3,
  type PairFile,
  type PairFormat,
} from './formats.ts';
export { evaluate, reportJson, type EvalReport, type MethodReport, type Scored } from './eval.ts';
export { leastSquares, assertFitInput, type LinearFit } from './linalg.ts';
