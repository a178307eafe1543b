export { InfluxStore, type InfluxStoreDetails } from './store.ts';
export { openInfluxStore, REFUSED_READING_TOPIC, type InfluxStoreDeps } from './open.ts';
export { INFLUX_DEFAULTS, parseInfluxConfig } from './config.ts';
export type {
  InfluxStoreConfig,
  InfluxV1Config,
  InfluxV2Config,
  InfluxCommonConfig,
} from './config.ts';
export { INFLUX_ERROR_CODES, InfluxStoreError, type InfluxErrorCode } from './errors.ts';
export type { InfluxLogger } from './pipeline.ts';
export {
  DEAD_LETTER_MEASUREMENT,
  NUMBER_FIELDS,
  READING_MEASUREMENT,
  readingToLine,
} from './line-protocol.ts';
