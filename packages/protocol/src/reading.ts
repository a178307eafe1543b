import type { DecodeErrorCode, Reading } from '@airbox/contracts';

/** A decoder's refusal: a stable code, and a message naming the input and the problem. */
export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

export type DecodeResult = { ok: true; readings: Reading[] } | { ok: false; error: DecodeError };

export function decodeError(code: DecodeErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

/** Letters, digits and `_ - . :` — safe inside an MQTT topic level and a file name. */
const DEVICE_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export function isValidDeviceId(id: string): boolean {
  return DEVICE_ID.test(id);
}
