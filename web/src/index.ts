export * from './api.ts';
export * from './metrics.ts';
export * from './csv.ts';
export { ApiError, type ApiErrorCode, type ErrorBody } from './errors.ts';
export type { SurfaceQuery, LiveQuery } from './query.ts';
export type { BBox } from './bbox.ts';
export type { DailyRow } from './series/daily.ts';
export type { LiveMessage, DeviceSummary, StationView } from './schemas.ts';
export { MAX_RANGE_DAYS } from './series-query.ts';
export { SLOW_CONSUMER_CLOSE_CODE } from './live/session.ts';
export * from './surface/index.ts';
export { surfaceService, type SurfaceServiceOptions } from './surface-service.ts';
export {
  computeSurfaceHere,
  surfaceOutcome,
  type SurfaceCompute,
  type SurfaceOutcome,
} from './surface-compute.ts';
export {
  DATA_LICENSES,
  DEFAULT_OPEN_DATA_TERMS,
  isDataLicenseId,
  type DataLicenseId,
  type OpenDataTerms,
} from './opendata/terms.ts';
