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
  MAX_FOLDS,
  pickMethod,
  siteGroups,
  predictPairs,
  type Fold,
  type LosoOptions,
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
export type { EvalOptions } from './eval.ts';
export { renderReport, type ReportInput } from './report/index.ts';
export { leastSquares, assertFitInput, type LinearFit } from './linalg.ts';
export {
  stationsFromRegistry,
  withStoredReferences,
  type Located,
  type Station,
} from './stations.ts';
export {
  buildPairs,
  DEFAULT_MAX_DISTANCE_M,
  DEFAULT_MIN_COMPLETENESS,
  DEFAULT_READINGS_PER_HOUR,
  findColocations,
  type BoxSummary,
  type Colocation,
  type PairingOptions,
  type PairingResult,
  type PairingStore,
} from './pairing.ts';
export { GENERIC_HEADER, pairsToCsv } from './pairs-csv.ts';
export { REGISTRY_FILE, registryPath } from './registry-db.ts';
export {
  MODEL_SCOPES,
  modelId,
  ModelRegistry,
  openModelRegistry,
  type ModelMetrics,
  type ModelRecord,
  type ModelScope,
  type NewModel,
  type PairQuery,
} from './registry.ts';
export { HOLDOUT_FRACTION, selectAndFit, type Selection } from './select.ts';
export {
  DEFAULT_DRIFT_THRESHOLDS,
  detectDrift,
  MIN_RMSE_CHANGE_UGM3,
  residualSlopeUgM3PerDay,
  type DriftCheck,
  type DriftEvent,
  type DriftThresholds,
} from './drift.ts';
export {
  DEFAULT_MIN_PAIRS,
  DEFAULT_WINDOW_DAYS,
  refit,
  type RefitOptions,
  type RefitResult,
  type Skipped,
} from './fit-job.ts';
export {
  DEFAULT_REFIT_EVERY_MS,
  startRefitSchedule,
  type RefitScheduleOptions,
  type RunRefit,
} from './schedule.ts';
export {
  DEFAULT_MAX_REGION_DISTANCE_M,
  DEFAULT_POLL_MS,
  DEFAULT_STALE_AFTER_MS,
  registryProvider,
  type ProviderOptions,
  type RegistryProvider,
} from './provider.ts';
