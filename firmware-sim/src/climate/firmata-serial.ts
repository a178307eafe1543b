/**
 * A Firmata board on a serial port: serialport 13 carries the bytes, firmata-io speaks the
 * protocol, and johnny-five gets the result as its `io` (board.js: `new Board({ io })` uses
 * an IO instance as is and never loads serialport itself).
 */
import { SerialPort } from 'serialport';
import { ClimateError } from './errors.ts';
import { loadFirmataIo, type FirmataSerialIo } from './johnny-five.ts';

/** StandardFirmata.ino: `Firmata.begin(57600)`; firmata-io's default baud rate as well. */
export const FIRMATA_BAUD_RATE = 57_600;

export interface FirmataSerialLink {
  io: FirmataSerialIo;
  /** Settles when the port is open (rejects with `CLIMATE_PORT_ERROR`). */
  opened: Promise<void>;
  /** Stops the board's continuous I2C reads and closes the port; never rejects. */
  close(): Promise<void>;
}

export function openFirmataSerial(path: string): FirmataSerialLink {
  const Firmata = loadFirmataIo();
  const port = new SerialPort({ path, baudRate: FIRMATA_BAUD_RATE, autoOpen: false });
  // Built before the port opens: firmata-io turns the port's "open" into "connect", which
  // johnny-five waits for before it reports "ready".
  const io = new Firmata(port);
  const opened = new Promise<void>((resolve, reject) =>
    port.open((err) => {
      if (!err) return resolve();
      const hint = 'check the device path and that this user may open it (group dialout)';
      const message = `cannot open Firmata board on ${path}: ${err.message}; ${hint}`;
      reject(new ClimateError('CLIMATE_PORT_ERROR', message, { cause: err }));
    }),
  );
  return { io, opened, close: () => closeLink(port, io) };
}

async function closeLink(port: SerialPort, io: FirmataSerialIo): Promise<void> {
  clearTimeout(io.reportVersionTimeoutId);
  if (!port.isOpen) return;
  // StandardFirmata's systemResetCallback stops continuous I2C reads (the BME280 driver
  // starts one), so the next open does not begin in a stream of stale replies.
  io.reset();
  await new Promise<void>((resolve) => port.drain(() => resolve()));
  await new Promise<void>((resolve) => port.close(() => resolve()));
}
