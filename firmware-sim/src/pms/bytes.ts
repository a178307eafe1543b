/** PMS5003 datasheet: every frame, either direction, starts with 0x42 0x4D ("BM"). */
export const PMS_START_1 = 0x42;
export const PMS_START_2 = 0x4d;

/** Big-endian 16-bit word at `offset` (PMS5003 datasheet: high 8 bits first). */
export function be16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

export function writeBe16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >> 8) & 0xff;
  bytes[offset + 1] = value & 0xff;
}

/** Sum of bytes[start, end) kept to 16 bits, as the sensor's check code is. */
export function sum16(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i] ?? 0;
  return sum & 0xffff;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
