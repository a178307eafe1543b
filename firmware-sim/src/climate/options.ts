/**
 * What `openClimateSensor` takes, its defaults, and the check that runs before anything
 * is opened.
 */
import type { Clock } from '../clock.ts';
import {
  CLIMATE_CONTROLLERS,
  type ClimateControllerName,
  type ClimateControllerSpec,
} from './controllers.ts';
import { ClimateError } from './errors.ts';
import type { FirmataIo } from './johnny-five.ts';

/** Default bound on a reading's age; every driver here polls many times a second. */
export const CLIMATE_STALE_AFTER_MS = 10_000;

/**
 * A first-reading budget for a serial board: an Arduino resets when the port opens (~2 s in
 * its bootloader), firmata-io asks for the version itself only after 5 s of silence
 * (reportVersionTimeout), and johnny-five's BME280 reports ~1 s after its coefficients.
 */
export const CLIMATE_OPEN_TIMEOUT_MS = 15_000;

export interface ClimateSensorOptions {
  controller: ClimateControllerName;
  /** A Firmata IO object, connecting or ready (mock-firmata's board, an IO plugin). */
  io?: FirmataIo;
  /** Serial device of a board running StandardFirmata; opened at 57 600 Bd. */
  port?: string;
  /** I2C address; default: the controller's (`CLIMATE_CONTROLLERS`). */
  address?: number;
  /** Longest wait from opening to the first reading. */
  readTimeoutMs: number;
  /** `read()` throws when the newest reading is older; default `CLIMATE_STALE_AFTER_MS`. */
  staleAfterMs?: number;
  clock?: Clock;
}

/** Exactly one board, a known controller and a 7-bit address. */
export function checkOptions(options: ClimateSensorOptions): {
  address: number;
  board: { io: FirmataIo } | { port: string };
} {
  const { controller, io, port, readTimeoutMs } = options;
  const problems: string[] = [];
  const spec: ClimateControllerSpec | undefined = CLIMATE_CONTROLLERS[controller];
  if (spec === undefined) {
    const known = Object.keys(CLIMATE_CONTROLLERS).join(', ');
    problems.push(`controller ${JSON.stringify(controller)} is not one of ${known}`);
  }
  if ((io === undefined) === (port === undefined)) {
    problems.push('give exactly one of io (a Firmata IO object) and port (a serial device path)');
  }
  const address = options.address ?? spec?.defaultAddress ?? 0x08;
  if (!Number.isInteger(address) || address < 0x08 || address > 0x77) {
    problems.push(`address ${address} is not a 7-bit I2C address (0x08…0x77)`);
  }
  if (!(readTimeoutMs > 0)) problems.push(`readTimeoutMs ${readTimeoutMs} must be > 0`);
  if (problems.length > 0) {
    throw new ClimateError('CLIMATE_OPTIONS_INVALID', `climate sensor: ${problems.join('; ')}`);
  }
  return { address, board: io !== undefined ? { io } : { port: port ?? '' } };
}
