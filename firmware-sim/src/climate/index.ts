export {
  CLIMATE_CONTROLLERS,
  CLIMATE_CONTROLLER_NAMES,
  describeClimateSensor,
  type ClimateControllerName,
  type ClimateControllerSpec,
} from './controllers.ts';
export * from './errors.ts';
export { FIRMATA_BAUD_RATE } from './firmata-serial.ts';
export type { FirmataIo } from './johnny-five.ts';
export {
  CLIMATE_OPEN_TIMEOUT_MS,
  CLIMATE_STALE_AFTER_MS,
  type ClimateSensorOptions,
} from './options.ts';
export * from './sensor.ts';
