import { MEASURES, measureRecord, type FlagCode, type Reading } from '@airbox/contracts';
import { z } from 'zod';
import {
  applyPosition,
  applyTime,
  checkHumidity,
  checkPmOrder,
  readMeasures,
  type DecodeContext,
} from './checks.ts';
import { decodeError, isValidDeviceId, type DecodeResult } from './reading.ts';

/** Most readings one backfill message may carry; a device splits a longer backlog. */
export const MAX_BATCH_READINGS = 1000;

const measure = z.number().nullable().optional();
const text = z.string().max(64).nullable().optional();

/**
 * The native reading, as our firmware publishes it on `airbox/v1/<deviceId>/reading`.
 * Wrong types are refused; implausible numbers are accepted and flagged, as for LASS.
 * Unknown fields are ignored so that newer firmware can add some.
 */
export const NativeReadingSchema = z.object({
  v: z.literal(1).optional(),
  deviceId: z.string().optional(),
  time: z.iso.datetime({ offset: true }),
  lat: z.number().nullable().optional(),
  lon: z.number().nullable().optional(),
  // Every measure under its reading field: the native format is the reading itself.
  ...measureRecord(MEASURES, () => measure),
  app: text,
  firmware: text,
  /**
   * `reference` marks a reference station's hourly value (the simulator's reference network,
   * a feed relayed by a service account). The broker accepts it only from service accounts.
   */
  kind: z.enum(['box', 'reference']).optional(),
});
export type NativeReading = z.infer<typeof NativeReadingSchema>;

export const NativeBatchSchema = z.array(NativeReadingSchema).max(MAX_BATCH_READINGS);

/** Decodes a native JSON reading (object) or backfill batch (array). */
export function decodeNative(payload: string, ctx: DecodeContext): DecodeResult {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (e) {
    return decodeError('invalid-json', `payload is not JSON: ${(e as Error).message}`);
  }
  const batch = Array.isArray(json);
  const parsed = batch ? NativeBatchSchema.safeParse(json) : NativeReadingSchema.safeParse(json);
  if (!parsed.success) {
    return decodeError('schema-mismatch', describeIssues(parsed.error, batch));
  }
  const items: NativeReading[] = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const readings: Reading[] = [];
  for (const [i, item] of items.entries()) {
    const deviceId = item.deviceId ?? ctx.topicDeviceId;
    const where = batch ? `reading ${i}: ` : '';
    if (deviceId === undefined) {
      return decodeError('missing-device-id', `${where}no deviceId in the reading or the topic`);
    }
    if (!isValidDeviceId(deviceId)) {
      return decodeError(
        'invalid-device-id',
        `${where}deviceId ${JSON.stringify(deviceId)} is not a valid id`,
      );
    }
    if (ctx.topicDeviceId !== undefined && deviceId !== ctx.topicDeviceId) {
      return decodeError(
        'device-mismatch',
        `${where}deviceId ${deviceId} in the payload, but the topic names ${ctx.topicDeviceId}`,
      );
    }
    readings.push(fromNative(item, deviceId, batch, ctx));
  }
  return { ok: true, readings };
}

function fromNative(
  n: NativeReading,
  deviceId: string,
  batch: boolean,
  ctx: DecodeContext,
): Reading {
  const flags: FlagCode[] = [];
  const position =
    n.lat === undefined || n.lat === null || n.lon === undefined || n.lon === null
      ? null
      : { lat: n.lat, lon: n.lon, fix: null };
  // A backfilled reading was recorded long before it arrives: only the present bounds it.
  const timeCtx = batch ? { nowMs: ctx.receivedAtMs ?? ctx.nowMs } : ctx;
  const reading: Reading = {
    deviceId,
    time: null,
    lat: null,
    lon: null,
    ...readMeasures((m) => n[m.field], flags),
    format: 'native-v1',
    app: n.app ?? null,
    firmware: n.firmware ?? null,
    flags,
    kind: n.kind ?? 'box',
  };
  applyTime(reading, Date.parse(n.time), timeCtx);
  applyPosition(reading, position);
  checkPmOrder(reading);
  checkHumidity(reading);
  return reading;
}

/** "pm25UgM3: expected number, received string" — the path and the problem, first three. */
function describeIssues(error: z.ZodError, batch: boolean): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((p, i) => (i === 0 && batch ? `[${String(p)}]` : String(p)));
    return `${path.join('.') || (batch ? 'batch' : 'reading')}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `native reading does not match the schema: ${parts.join('; ')}${more}`;
}
