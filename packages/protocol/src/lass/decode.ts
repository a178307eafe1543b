import type { FlagCode, FormatId, Measure, Reading } from '@airbox/contracts';
import {
  applyPosition,
  applyTime,
  checkHumidity,
  checkPmOrder,
  NOT_CARRIED,
  readMeasures,
  type DecodeContext,
} from '../checks.ts';
import { decodeError, isValidDeviceId, type DecodeResult } from '../reading.ts';
import { appProfile, GPS_ENCODING, MEASURE_KEYS, VALUES_SLOTS } from './apps.ts';
import { ddmmOver100ToDegrees, parseGpgga, parseGpsLoc, type RawPosition } from './position.ts';
import { splitLass } from './split.ts';
import { parseLassDateTime } from './time.ts';

const VER_FORMATS: Record<string, FormatId> = {
  '0': 'lass-v0',
  '1': 'lass-v1',
  '2': 'lass-v2',
  '3': 'lass-v3',
};

/** The payload's format and device, or the coded error that stops decoding. */
function lassIdentity(
  fields: Map<string, string>,
  payload: string,
  ctx: DecodeContext,
): { format: FormatId; deviceId: string } | DecodeResult {
  // ver_format 0 predates the field: lass.raw messages start at `|app=`.
  const ver = fields.get('ver_format') ?? '0';
  const format = VER_FORMATS[ver];
  if (format === undefined) {
    return decodeError('unsupported-ver-format', `ver_format=${preview(ver)} is not 0, 1, 2 or 3`);
  }
  const deviceId = fields.get('device_id');
  if (deviceId === undefined) {
    return decodeError('missing-device-id', `LASS payload has no device_id: ${preview(payload)}`);
  }
  if (!isValidDeviceId(deviceId)) {
    return decodeError('invalid-device-id', `device_id=${preview(deviceId)} is not a valid id`);
  }
  if (ctx.topicDeviceId !== undefined && ctx.topicDeviceId !== deviceId) {
    return decodeError(
      'device-mismatch',
      `device_id=${deviceId} in the payload, but the topic names ${ctx.topicDeviceId}`,
    );
  }
  return { format, deviceId };
}

/**
 * Decodes one LASS MQTT payload (`|ver_format=3|…|s_d0=33.00|…`), any ver_format 0–3.
 * Never throws: anything that is not a reading comes back as a coded error.
 */
export function decodeLass(payload: string, ctx: DecodeContext): DecodeResult {
  const fields = splitLass(payload);
  if (fields === null) {
    return decodeError('not-lass', `payload is not a LASS |key=value| line: ${preview(payload)}`);
  }
  const identity = lassIdentity(fields, payload, ctx);
  if ('ok' in identity) return identity;
  const { format, deviceId } = identity;
  const app = fields.get('app') ?? null;
  const profile = appProfile(app);
  const flags: FlagCode[] = [];
  const deviceMs = parseLassDateTime(
    fields.get('date') ?? '',
    fields.get('time') ?? '',
    profile.clock,
  );
  const values = fields.get('values')?.split(',');
  const slots = app === null ? undefined : VALUES_SLOTS[app];

  const reading: Reading = {
    deviceId,
    time: null,
    lat: null,
    lon: null,
    ...readMeasures((measure) => lassMeasure(fields, values, slots, measure), flags),
    format,
    app,
    firmware: fields.get('ver_app') ?? fields.get('fw_ver') ?? null,
    flags,
    kind: profile.kind,
  };
  applyTime(reading, deviceMs, ctx);
  applyPosition(reading, lassPosition(fields));
  checkPmOrder(reading);
  checkHumidity(reading);
  return { ok: true, readings: [reading] };
}

/** What the payload holds for a measure: its named key, else its `values=` slot (apps.ts). */
function lassMeasure(
  fields: Map<string, string>,
  values: string[] | undefined,
  slots: (typeof VALUES_SLOTS)[string] | undefined,
  measure: Measure,
): unknown {
  const keys = MEASURE_KEYS[measure.field];
  const index = slots?.[measure.field];
  if (keys === undefined && index === undefined) return NOT_CARRIED;
  return pick(fields, keys ?? []) ?? slot(values, index);
}

function pick(fields: Map<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = fields.get(key);
    if (v !== undefined) return v;
  }
  return undefined;
}

function slot(values: string[] | undefined, index: number | undefined): string | undefined {
  return values === undefined || index === undefined ? undefined : values[index];
}

/** The position in whichever shape this ver_format and device use (see apps.ts). */
function lassPosition(fields: Map<string, string>): RawPosition | null {
  const nmea = fields.get('gps');
  // A corrupt sentence is a position that was sent but cannot be trusted.
  if (nmea !== undefined) return parseGpgga(nmea) ?? { lat: NaN, lon: NaN, fix: null };

  const fix = numberOrNull(fields.get('gps_fix') ?? fields.get('gps-fix'));
  const latRaw = fields.get('gps_lat') ?? fields.get('gps-lat');
  const lonRaw = fields.get('gps_lon') ?? fields.get('gps-lon');
  let lat: number;
  let lon: number;
  if (latRaw !== undefined && lonRaw !== undefined) {
    lat = numberOrNull(latRaw) ?? NaN;
    lon = numberOrNull(lonRaw) ?? NaN;
  } else {
    const loc = fields.get('gps-loc');
    if (loc === undefined) return null;
    const parsed = parseGpsLoc(loc);
    lat = parsed?.lat ?? NaN;
    lon = parsed?.lon ?? NaN;
  }
  const configured = fields.get('fmt_opt') === '1' || fields.get('FAKE_GPS') === '1';
  if (!configured && GPS_ENCODING[fields.get('device') ?? ''] === 'ddmm/100') {
    lat = ddmmOver100ToDegrees(lat);
    lon = ddmmOver100ToDegrees(lon);
  }
  return { lat, lon, fix };
}

function numberOrNull(s: string | undefined): number | null {
  if (s === undefined || s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Enough of a bad input to recognise it in an error message, never the whole of it. */
export function preview(s: string, max = 80): string {
  const clean = s.replace(/[\r\n]/g, ' ');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}
