export * from './types.ts';
export { AqiRangeError, type AqiErrorCode } from './errors.ts';
export { aqiFromPm25, categoryFor, type AqiOptions, type AqiResult } from './aqi.ts';
export {
  AQI_TABLES,
  tableInForce,
  TW_MOENV_2016,
  TW_MOENV_2025,
  US_EPA_2012,
  US_EPA_2024,
} from './tables/index.ts';
export { MOENV_CATEGORIES } from './categories/moenv.ts';
export { US_EPA_CATEGORIES } from './categories/us-epa.ts';
export { nowCastPm25, NOWCAST_HOURS, NOWCAST_MIN_WEIGHT } from './nowcast.ts';
