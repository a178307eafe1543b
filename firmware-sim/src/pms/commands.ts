/**
 * Host → sensor command frames and the sensor's 8-byte acknowledgement, both sides, so the
 * fleet simulator's virtual sensors can answer the very bytes this driver sends.
 *
 * PMS5003 datasheet V2.3 appendix II: a command is `42 4D CMD DATAH DATAL LRCH LRCL`, where
 * LRC = sum of the five bytes before it; CMD 0xE1 changes mode (DATAL 0 passive, 1 active),
 * 0xE2 reads once in passive mode, 0xE4 sleeps (DATAL 0) or wakes (DATAL 1).
 * The byte strings match PyPMS src/pms/sensors/plantower/pmsx003.py `commands`.
 */
import { PMS_START_1, PMS_START_2, be16, sum16, writeBe16 } from './bytes.ts';

export const PMS_COMMANDS = {
  'passive-mode': { cmd: 0xe1, data: 0x0000 },
  'active-mode': { cmd: 0xe1, data: 0x0001 },
  'passive-read': { cmd: 0xe2, data: 0x0000 },
  sleep: { cmd: 0xe4, data: 0x0000 },
  wake: { cmd: 0xe4, data: 0x0001 },
} as const satisfies Record<string, { cmd: number; data: number }>;

export type PmsCommandName = keyof typeof PMS_COMMANDS;

export const PMS_COMMAND_BYTES = 7;

/** The 7 bytes the host writes for `name`. */
export function encodePmsCommand(name: PmsCommandName): Uint8Array {
  const { cmd, data } = PMS_COMMANDS[name];
  const bytes = new Uint8Array(PMS_COMMAND_BYTES);
  bytes.set([PMS_START_1, PMS_START_2, cmd]);
  writeBe16(bytes, 3, data);
  writeBe16(bytes, 5, sum16(bytes, 0, 5));
  return bytes;
}

/** The command in a 7-byte host frame, or null when it is not a valid one (sensor side). */
export function decodePmsCommand(bytes: Uint8Array): PmsCommandName | null {
  if (bytes.length !== PMS_COMMAND_BYTES) return null;
  if (bytes[0] !== PMS_START_1 || bytes[1] !== PMS_START_2) return null;
  if (be16(bytes, 5) !== sum16(bytes, 0, 5)) return null;
  const data = be16(bytes, 3);
  for (const [name, spec] of Object.entries(PMS_COMMANDS)) {
    if (spec.cmd === bytes[2] && spec.data === data) return name as PmsCommandName;
  }
  return null;
}

/** Length field of an acknowledgement: CMD, DATAL and the 2 checksum bytes. */
export const PMS_ACK_LENGTH_FIELD = 4;
export const PMS_ACK_BYTES = 4 + PMS_ACK_LENGTH_FIELD;

/**
 * What a PMS5003/7003 answers to a mode change or sleep: `42 4D 00 04 CMD DATAL sumH sumL`
 * (e.g. `42 4D 00 04 E1 00 01 74` for passive mode). The datasheet does not document it;
 * PyPMS pmsx003.py expects this 8-byte reply (header `42 4D 00 04`) to passive-mode and
 * sleep, a data frame to active-mode and wake, and a data frame to passive-read.
 */
export function encodePmsAck(name: PmsCommandName): Uint8Array {
  const { cmd, data } = PMS_COMMANDS[name];
  const bytes = new Uint8Array(PMS_ACK_BYTES);
  bytes.set([PMS_START_1, PMS_START_2, 0, PMS_ACK_LENGTH_FIELD, cmd, data & 0xff]);
  writeBe16(bytes, 6, sum16(bytes, 0, 6));
  return bytes;
}
