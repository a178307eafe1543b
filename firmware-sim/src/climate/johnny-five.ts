/**
 * The parts of johnny-five 2.1 and firmata-io this driver uses, loaded lazily (importing
 * `@airbox/firmware-sim` must not load a robotics framework) and checked at run time,
 * because `@types/johnny-five` has no `Multi`, no `Multi.Drivers` and no `sigint` option.
 */
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import { ClimateError } from './errors.ts';

/** A Firmata IO object (firmata-io's `Firmata`, mock-firmata's `MockFirmata`, an IO plugin). */
export interface FirmataIo extends EventEmitter {
  readonly isReady: boolean;
  name?: string;
}

/** firmata-io's `Firmata`, with the internals `close()` must stop (lib/firmata.js). */
export interface FirmataSerialIo extends FirmataIo {
  /** Sends SYSTEM_RESET: StandardFirmata stops its continuous I2C reads. */
  reset(): void;
  reportVersionTimeoutId?: ReturnType<typeof setTimeout>;
}

export type FirmataConstructor = new (transport: Duplex) => FirmataSerialIo;

export interface JohnnyFiveBoardOptions {
  io: FirmataIo;
  repl: false;
  debug: false;
  /** false: johnny-five must not install its own SIGINT handler (board.js calls reallyExit). */
  sigint: false;
}

export interface JohnnyFiveBoard extends EventEmitter {
  readonly isReady: boolean;
  /** The "ready within 10 s of connect" timer board.js arms; cleared when we give up. */
  timer: ReturnType<typeof setTimeout> | null;
}

/** `five.Multi`'s converted outputs (thermometer.js `toCelsius`, hygrometer.js `toRelativeHumidity`). */
export interface JohnnyFiveMulti {
  readonly thermometer: { readonly celsius: number };
  readonly hygrometer: { readonly relativeHumidity: number };
}

export interface JohnnyFiveMultiOptions {
  controller: string;
  address: number;
  board: JohnnyFiveBoard;
}

/** The shared I2C driver (lib/sip.js `Drivers.get`): emits "data" once per fresh raw reading. */
export type JohnnyFiveDriver = EventEmitter;

export interface JohnnyFive {
  Board: new (options: JohnnyFiveBoardOptions) => JohnnyFiveBoard;
  Multi: (new (options: JohnnyFiveMultiOptions) => JohnnyFiveMulti) & {
    Drivers: {
      get(
        board: JohnnyFiveBoard,
        controller: string,
        options: { address: number },
      ): JohnnyFiveDriver;
    };
  };
}

const require = createRequire(import.meta.url);

function isJohnnyFive(value: unknown): value is JohnnyFive {
  if (typeof value !== 'object' || value === null) return false;
  const { Board, Multi } = value as Record<string, unknown>;
  if (typeof Board !== 'function' || typeof Multi !== 'function') return false;
  const drivers: unknown = Reflect.get(Multi, 'Drivers');
  return typeof drivers === 'object' && drivers !== null && 'get' in drivers;
}

export function loadJohnnyFive(): JohnnyFive {
  let five: unknown;
  try {
    five = require('johnny-five');
  } catch (e) {
    const message = `cannot load johnny-five: ${(e as Error).message}; install johnny-five ^2.1`;
    throw new ClimateError('CLIMATE_LIBRARY_MISSING', message, { cause: e });
  }
  if (!isJohnnyFive(five)) {
    throw new ClimateError(
      'CLIMATE_LIBRARY_MISSING',
      'johnny-five has no Board, Multi or Multi.Drivers; this driver needs johnny-five ^2.1',
    );
  }
  return five;
}

/**
 * firmata-io is the transport-agnostic core of the `firmata` package. `firmata` itself
 * (and johnny-five's `port` option, board.js `Serial.connect`) requires serialport 8 at
 * load (firmata lib/com.js), whose native binding is not built here; we hand firmata-io a
 * serialport 13 port instead. It is found directly when installed, else beside johnny-five.
 */
function resolveFirmataIo(): string {
  try {
    return require.resolve('firmata-io');
  } catch {
    const besideFive = createRequire(require.resolve('johnny-five'));
    return createRequire(besideFive.resolve('firmata')).resolve('firmata-io');
  }
}

export function loadFirmataIo(): FirmataConstructor {
  let bind: unknown;
  try {
    bind = require(resolveFirmataIo());
  } catch (e) {
    const message = `cannot load firmata-io: ${(e as Error).message}; install firmata-io ^2.3`;
    throw new ClimateError('CLIMATE_LIBRARY_MISSING', message, { cause: e });
  }
  // lib/firmata.js: module.exports = bindTransport; bindTransport.Firmata = Firmata.
  const firmata = typeof bind === 'function' ? (bind as { Firmata?: unknown }).Firmata : undefined;
  if (typeof firmata !== 'function') {
    throw new ClimateError('CLIMATE_LIBRARY_MISSING', 'firmata-io exports no Firmata class');
  }
  return firmata as FirmataConstructor;
}

/**
 * Runs `build` and stops every interval it started. johnny-five 2.1's Thermometer,
 * Hygrometer and Multi poll their own state on intervals that Hygrometer and Multi never
 * clear (hygrometer.js, sip.js: a bare `setInterval`, no handle kept). We read their
 * converted values when the driver reports instead, so their polling is dropped at once
 * and nothing keeps the process alive after `close()`. `build` is synchronous, so no other
 * code runs while `setInterval` is swapped.
 */
export function withoutPolling<T>(build: () => T): T {
  const original = globalThis.setInterval;
  const started: ReturnType<typeof setInterval>[] = [];
  const capture = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer = original(callback, ms, ...args);
    started.push(timer);
    return timer;
  };
  globalThis.setInterval = Object.assign(capture, original);
  try {
    return build();
  } finally {
    globalThis.setInterval = original;
    for (const timer of started) clearInterval(timer);
  }
}
