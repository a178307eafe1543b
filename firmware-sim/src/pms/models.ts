/**
 * The Plantower particle sensors this firmware drives, as data: frame size, length field,
 * and what each big-endian 16-bit data word means.
 *
 * Sources:
 * - PyPMS docs/sensors/Plantower.md (avaldebe/PyPMS, MIT): PMSx003 (PMS1003/5003/7003/A003)
 *   frames are 32 bytes, header `42 4d 00 1c`, 12 values + 1 reserved word; PMS3003 frames
 *   are 24 bytes, header `42 4d 00 14`, 6 values + 3 reserved words; PMS3003 takes no serial
 *   commands ("No passive mode read", pms3003.py: "do not support commands").
 * - PMS5003 datasheet V2.3 appendix I: frame length = 2×13+2; data 1–3 PM1.0/2.5/10 CF=1,
 *   data 4–6 the same under atmospheric environment (µg/m³), data 7–12 particles beyond
 *   0.3/0.5/1.0/2.5/5.0/10 µm in 0.1 L of air, data 13 reserved.
 * - PMS7003 datasheet: data 13 high byte = version number, low byte = error code.
 * - PMS3003 datasheet: frame length = 2×9+2; data 1–6 as above, data 7–9 reserved.
 */

/** Where one data word of a frame goes in a decoded frame. */
export type PmsWordField =
  | 'pm1Cf1UgM3'
  | 'pm25Cf1UgM3'
  | 'pm10Cf1UgM3'
  | 'pm1AtmUgM3'
  | 'pm25AtmUgM3'
  | 'pm10AtmUgM3'
  | 'gt0p3Um'
  | 'gt0p5Um'
  | 'gt1p0Um'
  | 'gt2p5Um'
  | 'gt5p0Um'
  | 'gt10Um'
  | 'versionAndError'
  | 'reserved';

export interface PmsModelSpec {
  /** Whole frame: 2 start bytes, 2 length bytes, the data words, 2 checksum bytes. */
  frameBytes: number;
  /** The frame's own length field: data words and checksum, in bytes (frameBytes − 4). */
  lengthField: number;
  /** One entry per data word, in frame order. */
  words: readonly PmsWordField[];
  /** Takes the 7-byte host commands (mode, passive read, sleep/wake) over serial. */
  acceptsCommands: boolean;
  source: string;
}

const PM_WORDS = [
  'pm1Cf1UgM3',
  'pm25Cf1UgM3',
  'pm10Cf1UgM3',
  'pm1AtmUgM3',
  'pm25AtmUgM3',
  'pm10AtmUgM3',
] as const satisfies readonly PmsWordField[];

const PMSX003: PmsModelSpec = {
  frameBytes: 32,
  lengthField: 28,
  words: [
    ...PM_WORDS,
    'gt0p3Um',
    'gt0p5Um',
    'gt1p0Um',
    'gt2p5Um',
    'gt5p0Um',
    'gt10Um',
    'versionAndError',
  ],
  acceptsCommands: true,
  source: 'PMS5003 datasheet V2.3 appendix I; PMS7003 datasheet; PyPMS docs/sensors/Plantower.md',
};

export const PMS_MODELS = {
  PMS5003: PMSX003,
  PMS7003: PMSX003,
  PMS3003: {
    frameBytes: 24,
    lengthField: 20,
    words: [...PM_WORDS, 'reserved', 'reserved', 'reserved'],
    acceptsCommands: false,
    source: 'PMS3003 datasheet; PyPMS docs/sensors/Plantower.md',
  },
} as const satisfies Record<string, PmsModelSpec>;

export type PmsModel = keyof typeof PMS_MODELS;

export const PMS_MODEL_NAMES = Object.keys(PMS_MODELS) as PmsModel[];

export function isPmsModel(name: string): name is PmsModel {
  return Object.hasOwn(PMS_MODELS, name);
}

/** PMS5003 datasheet: UART 9600 8N1 (3.3 V TTL). */
export const PMS_SERIAL = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

/** PMS5003/7003 datasheets: "Stable data should be got at least 30 seconds after the sensor
 * wakeup from the sleep mode because of the fan's performance." */
export const PMS_WARM_UP_MS = 30_000;

/** The largest frame any model sends: the parser never holds more than this minus one. */
export const PMS_MAX_FRAME_BYTES = Math.max(
  ...Object.values(PMS_MODELS).map((m: PmsModelSpec) => m.frameBytes),
);
