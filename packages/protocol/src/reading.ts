import type { FlagCode } from './flags.ts';

/** Wire formats a reading can come from; `format` in every normalized reading. */
export const FORMATS = [
  'lass-v0',
  'lass-v1',
  'lass-v2',
  'lass-v3',
  'lass-opendata',
  'native-v1',
  /** MOENV (Taiwan EPA) hourly open data: the AQX array or the v2 `aqx_p_432` records. */
  'moenv-aqx',
  /** Reference values imported from a CSV file (`airbox reference import`). */
  'reference-csv',
] as const;
export type FormatId = (typeof FORMATS)[number];

/**
 * The one normalized reading, whatever came over the wire (DESIGN.md, "Readings").
 * Units are in the names; every measurement is null where the device did not report it.
 * Raw values are never overwritten: calibration adds `pm25CalibratedUgM3` beside them.
 */
export interface Reading {
  deviceId: string;
  /** ISO 8601 UTC. Null only when the device clock is invalid and no receive time is known. */
  time: string | null;
  /** What the device claimed, when it is not trusted as `time` (see flag `clock-invalid`). */
  deviceTime?: string;
  lat: number | null;
  lon: number | null;
  pm1UgM3: number | null;
  pm25UgM3: number | null;
  pm10UgM3: number | null;
  temperatureC: number | null;
  humidityPct: number | null;
  format: FormatId;
  app: string | null;
  firmware: string | null;
  flags: FlagCode[];
  /** `reference` for government stations (e.g. LASS `EPA_COPY` records). */
  kind: 'box' | 'reference';
  pm25CalibratedUgM3?: number | null;
  calibrationModel?: string | null;
}

/** A decoder's refusal: a stable code, and a message naming the input and the problem. */
export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

export const DECODE_ERROR_CODES = {
  'empty-payload': 'The message has no payload.',
  'payload-too-large': 'The payload is larger than the configured limit.',
  'invalid-encoding': 'The payload is not UTF-8 text.',
  'not-a-reading': 'The topic carries status or config, not readings.',
  'not-lass': 'The payload is not a LASS `|key=value|…` line.',
  'unsupported-ver-format': 'The LASS ver_format is not 0, 1, 2 or 3.',
  'missing-device-id': 'The payload names no device.',
  'invalid-device-id':
    'The device id is empty, longer than 64 characters, or holds characters other than letters, digits, `_`, `-`, `.` and `:`.',
  'device-mismatch': 'The device id in the payload differs from the one in the topic.',
  'invalid-json': 'The payload is not valid JSON.',
  'schema-mismatch': 'The JSON does not match the native reading schema; the message says where.',
  'unknown-topic': 'The topic is neither a native `airbox/v1/…` topic nor a known LASS topic.',
} as const;
export type DecodeErrorCode = keyof typeof DECODE_ERROR_CODES;

export type DecodeResult = { ok: true; readings: Reading[] } | { ok: false; error: DecodeError };

export function decodeError(code: DecodeErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

/** Letters, digits and `_ - . :` — safe inside an MQTT topic level and a file name. */
const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}
