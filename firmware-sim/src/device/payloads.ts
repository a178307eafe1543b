/**
 * What goes on the wire for buffered readings: the native JSON reading or batch
 * (`@airbox/protocol`, `airbox/v1/<id>/reading|batch`), or LASS ver_format 3 on
 * `LASS/Test/PM25/<id>`, one message per reading. Pure: no I/O, no clock.
 */
import { MEASURES, measureRecord, type Reading } from '@airbox/contracts';
import {
  lassTopic,
  lassV3FromReading,
  MAX_BATCH_READINGS,
  nativeTopic,
  NativeReadingSchema,
  type NativeReading,
} from '@airbox/protocol';
import type { BufferedEntry } from './offline-buffer.ts';

export interface OutgoingMessage {
  topic: string;
  payload: string;
  /** The last buffered reading this message carries: acknowledged through it on PUBACK. */
  lastSeq: number;
  readings: number;
}

/** How LASS names our firmware: app `PM25` is the LASS DIY stream (clock in UTC). */
export interface LassIdentity {
  app: string;
  device: string;
  verApp: string;
  /** Epoch ms when the device booted; LASS `tick` is ms since boot. */
  bootMs: number;
}

/** Checks a reading read back from the offline buffer (the disk is outside input too). */
export function decodeBufferedReading(json: unknown): NativeReading | null {
  const parsed = NativeReadingSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/**
 * The next native message: a single reading on `…/reading` when the backlog is one
 * reading, otherwise a batch on `…/batch` of the oldest readings, in order and with their
 * original times, as many as fit in `maxPayloadBytes` (and `MAX_BATCH_READINGS`).
 */
export function nextNativeMessage(
  deviceId: string,
  oldest: readonly BufferedEntry<NativeReading>[],
  backlog: number,
  maxPayloadBytes: number,
): OutgoingMessage | null {
  const first = oldest[0];
  if (first === undefined) return null;
  if (backlog === 1) {
    return {
      topic: nativeTopic(deviceId, 'reading'),
      payload: JSON.stringify(first.reading),
      lastSeq: first.seq,
      readings: 1,
    };
  }
  const parts: string[] = [];
  let bytes = 2; // the brackets
  let lastSeq = first.seq;
  for (const entry of oldest.slice(0, MAX_BATCH_READINGS)) {
    const json = JSON.stringify(entry.reading);
    const added = Buffer.byteLength(json) + (parts.length > 0 ? 1 : 0);
    // Always send at least one, or a reading too large for the limit would block the queue.
    if (parts.length > 0 && bytes + added > maxPayloadBytes) break;
    parts.push(json);
    bytes += added;
    lastSeq = entry.seq;
  }
  return {
    topic: nativeTopic(deviceId, 'batch'),
    payload: `[${parts.join(',')}]`,
    lastSeq,
    readings: parts.length,
  };
}

/** One LASS ver_format 3 message per reading (LASS has no batch). */
export function lassMessages(
  deviceId: string,
  oldest: readonly BufferedEntry<NativeReading>[],
  identity: LassIdentity,
): OutgoingMessage[] {
  return oldest.map(({ seq, reading }) => {
    const timeMs = Date.parse(reading.time);
    const payload = lassV3FromReading(toReading(deviceId, reading), {
      app: identity.app,
      verApp: identity.verApp,
      device: identity.device,
      tick: Math.max(0, timeMs - identity.bootMs),
    });
    return { topic: lassTopic(deviceId), payload, lastSeq: seq, readings: 1 };
  });
}

function toReading(deviceId: string, n: NativeReading): Reading {
  return {
    deviceId,
    time: n.time,
    lat: n.lat ?? null,
    lon: n.lon ?? null,
    ...measureRecord(MEASURES, (m) => n[m.field] ?? null),
    format: 'native-v1',
    app: n.app ?? null,
    firmware: n.firmware ?? null,
    flags: [],
    kind: 'box',
  };
}
