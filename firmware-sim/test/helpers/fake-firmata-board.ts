/**
 * The far end of a serial line playing an Arduino running StandardFirmata with one I2C
 * sensor on its bus: enough of the Firmata protocol (firmata.org protocol.md, i2c.md) for
 * firmata-io's handshake and johnny-five's I2C reads.
 */
import type { SerialPort } from 'serialport';
import type { I2cRead } from './i2c-sensors.ts';

const START_SYSEX = 0xf0;
const END_SYSEX = 0xf7;
const REPORT_VERSION = 0xf9;
const SYSTEM_RESET = 0xff;
const QUERY_FIRMWARE = 0x79;
const CAPABILITY_QUERY = 0x6b;
const CAPABILITY_RESPONSE = 0x6c;
const ANALOG_MAPPING_QUERY = 0x69;
const ANALOG_MAPPING_RESPONSE = 0x6a;
const I2C_REQUEST = 0x76;
const I2C_REPLY = 0x77;
/** Arduino Uno: 20 pins, A0…A5 on 14…19, SDA/SCL on A4/A5 (modes: 0 in, 1 out, 2 analog, 6 I2C). */
const PIN_COUNT = 20;

/** Firmata sends 8-bit data as two 7-bit bytes, LSB first. */
const seven = (bytes: readonly number[]) => bytes.flatMap((b) => [b & 0x7f, (b >> 7) & 0x7f]);

function capabilities(): number[] {
  const pins: number[] = [];
  for (let pin = 0; pin < PIN_COUNT; pin++) {
    pins.push(0, 1, 1, 1);
    if (pin >= 14) pins.push(2, 10);
    if (pin === 18 || pin === 19) pins.push(6, 1);
    pins.push(0x7f);
  }
  return [START_SYSEX, CAPABILITY_RESPONSE, ...pins, END_SYSEX];
}

function analogMapping(): number[] {
  const channels = Array.from({ length: PIN_COUNT }, (_, pin) => (pin >= 14 ? pin - 14 : 0x7f));
  return [START_SYSEX, ANALOG_MAPPING_RESPONSE, ...channels, END_SYSEX];
}

export interface FakeFirmataBoard {
  /** I2C replies sent so far. */
  readonly replies: number;
  stop(): void;
}

/**
 * Announces itself (version, then firmware name) every 50 ms until the host speaks, as a
 * board does after the reset that opening the port causes; then answers the host.
 */
export function actAsFirmataBoard(
  port: SerialPort,
  address: number,
  device: I2cRead,
): FakeFirmataBoard {
  let replies = 0;
  let inbox: number[] = [];
  const timers = new Set<ReturnType<typeof setInterval>>();
  const send = (bytes: number[]) => port.write(Buffer.from(bytes));
  const firmware = [
    START_SYSEX,
    QUERY_FIRMWARE,
    2,
    5,
    ...seven([...Buffer.from('Fake.ino')]),
    END_SYSEX,
  ];
  const announce = setInterval(() => send([REPORT_VERSION, 2, 5, ...firmware]), 50);
  timers.add(announce);

  const reply = (register: number | null, count: number) => {
    const data = device(register, count);
    replies++;
    send([
      START_SYSEX,
      I2C_REPLY,
      ...seven([address]),
      ...seven([register ?? 0]),
      ...seven(data),
      END_SYSEX,
    ]);
  };

  /** I2C_REQUEST: address, mode byte (bits 3–4: 0 write, 1 read, 2 continuous, 3 stop), data. */
  const i2c = (body: number[]) => {
    const [to = 0, modeByte = 0, ...rest] = body;
    const mode = (modeByte >> 3) & 0b11;
    if (to !== address || mode === 0 || mode === 3) return;
    const words = [];
    for (let i = 0; i + 1 < rest.length; i += 2)
      words.push((rest[i] ?? 0) | ((rest[i + 1] ?? 0) << 7));
    const [register, count] =
      words.length >= 2 ? [words[0] ?? 0, words[1] ?? 0] : [null, words[0] ?? 0];
    if (mode === 1) setTimeout(() => reply(register, count), 2);
    else timers.add(setInterval(() => reply(register, count), 19)); // firmata sampling interval
  };

  const handle = (message: number[]) => {
    const [, command] = message;
    if (command === CAPABILITY_QUERY) send(capabilities());
    else if (command === ANALOG_MAPPING_QUERY) send(analogMapping());
    else if (command === I2C_REQUEST) i2c(message.slice(2, -1));
  };

  port.on('data', (chunk: Buffer) => {
    clearInterval(announce);
    for (const byte of chunk) {
      if (byte === SYSTEM_RESET) {
        for (const t of timers) clearInterval(t);
        inbox = [];
        continue;
      }
      if (byte === START_SYSEX) inbox = [];
      inbox.push(byte);
      if (byte === END_SYSEX && inbox[0] === START_SYSEX) handle(inbox.splice(0));
    }
  });

  return {
    get replies() {
      return replies;
    },
    stop() {
      for (const t of timers) clearInterval(t);
    },
  };
}
