export * from './reading.ts';
export {
  type DecodeContext,
  HUMIDITY_HIGH_PCT,
  NOT_CARRIED,
  readMeasure,
  readMeasures,
} from './checks.ts';
export { decodeLass } from './lass/decode.ts';
export { splitLass } from './lass/split.ts';
export { parseLassDateTime, CLOCK_SKEW_LIMIT_MS } from './lass/time.ts';
export { parseGpgga, ddmmOver100ToDegrees } from './lass/position.ts';
export {
  encodeLassV3,
  parseLassV3,
  lassV3FromReading,
  type LassV3Message,
  type LassDeviceInfo,
} from './lass/encode.ts';
export { APP_PROFILES, GPS_ENCODING } from './lass/apps.ts';
export * from './native.ts';
export { decodeOpenData, isOpenDataFile } from './opendata.ts';
export * from './topics.ts';
export * from './registry.ts';
export * from './capture.ts';
