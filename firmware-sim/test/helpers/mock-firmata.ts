/**
 * mock-firmata's board as a Firmata board with one I2C sensor on its bus: the responder
 * answers johnny-five's I2C calls with the bytes a fake sensor (`i2c-sensors.ts`) makes.
 */
import { createRequire } from 'node:module';
import type { FirmataIo } from '../../src/climate/index.ts';
import type { I2cRead } from './i2c-sensors.ts';

type I2cCallback = (bytes: number[]) => void;
/** mock-firmata 0.2 ships no types: a board-io board named "Mock" whose I/O does nothing. */
export interface MockBoard extends FirmataIo {
  i2cConfig: () => MockBoard;
  i2cWrite: () => MockBoard;
  i2cReadOnce: (address: number, ...rest: unknown[]) => MockBoard;
  i2cRead: (address: number, ...rest: unknown[]) => MockBoard;
}
const require = createRequire(import.meta.url);
export const { Firmata: MockFirmata } = require('mock-firmata') as { Firmata: new () => MockBoard };

/** A mock board that finishes its handshake on a later turn, as firmata-io's does. */
export function readyBoard(): MockBoard {
  const board = new MockFirmata();
  setImmediate(() => {
    board.emit('connect');
    board.emit('ready');
  });
  return board;
}

/**
 * Plays the Firmata board between johnny-five and a fake sensor at `address`: each read is
 * answered on a later turn, as an I2C_REPLY arrives (TOOLING.md: HTU21D re-reads inside its
 * callback, so a synchronous answer would recurse), and a continuous read repeats.
 */
export function respond(board: MockBoard, address: number, device: I2cRead) {
  const state = { silent: false, reads: 0 };
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (reply: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (state.silent) return;
      state.reads++;
      reply();
    }, 2);
    timers.add(timer);
  };
  // johnny-five calls (address, count, callback) or (address, register, count, callback).
  const parse = (rest: unknown[]) => {
    const [register, count] = rest.length === 3 ? [rest[0], rest[1]] : [null, rest[0]];
    return {
      register: register as number | null,
      count: count as number,
      cb: rest.at(-1) as I2cCallback,
    };
  };
  board.i2cConfig = () => board;
  board.i2cWrite = () => board;
  board.i2cReadOnce = (at, ...rest) => {
    const { register, count, cb } = parse(rest);
    if (at === address) later(() => cb(device(register, count)));
    return board;
  };
  board.i2cRead = (at, ...rest) => {
    const { register, count, cb } = parse(rest);
    const next = () => later(() => (cb(device(register, count)), next()));
    if (at === address) next();
    return board;
  };
  const stop = () => {
    state.silent = true;
    timers.forEach(clearTimeout);
  };
  return { state, stop };
}
