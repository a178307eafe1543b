import type { FlagCode, MeasureField, Reading } from '@airbox/contracts';
import { z } from 'zod';
import {
  applyPosition,
  applyTime,
  checkHumidity,
  checkPmOrder,
  NOT_CARRIED,
  readMeasures,
  type DecodeContext,
} from './checks.ts';
import { appProfile } from './lass/apps.ts';
import { parseLassDateTime } from './lass/time.ts';
import { decodeError, isValidDeviceId, type DecodeResult } from './reading.ts';

/**
 * LASS open-data archives (`last-all-airbox.json`, `last-all-epa.json`, …):
 * `{ "feeds": [ {device_id, s_d0, …, timestamp}, … ] }`. Values are numbers or strings
 * (`"N/A"` where LASS had none). Station records (`app=EPA_COPY`) use the EPA's own keys.
 */
const OpenDataFileSchema = z.object({
  feeds: z.array(z.record(z.string(), z.unknown())),
});

/** Is this parsed JSON an open-data archive rather than one native reading? */
export function isOpenDataFile(json: unknown): boolean {
  return (
    typeof json === 'object' && json !== null && Array.isArray((json as { feeds?: unknown }).feeds)
  );
}

/** One result per feed record, in file order, so a bad record never hides the good ones. */
export function decodeOpenData(json: unknown, ctx: DecodeContext): DecodeResult[] {
  const file = OpenDataFileSchema.safeParse(json);
  if (!file.success) {
    return [decodeError('schema-mismatch', 'open-data file has no "feeds" array of records')];
  }
  return file.data.feeds.map((feed, i) => decodeFeed(feed, i, ctx));
}

/**
 * Key choices per record shape. LASS ver_format=3 keys for boxes (s_d0 = PM2.5, …);
 * the EPA's `PM2_5`/`PM10` for stations. `c_d0` is LASS's own calibrated PM2.5 and
 * `c_d0_method` names its method (`BRR/7/3.54` = method/days/distance km). A measure
 * without a key in the shape is not carried: null, without a flag.
 */
const KEYS: Record<'box' | 'reference', Partial<Record<MeasureField, string>>> = {
  box: {
    pm25UgM3: 's_d0',
    pm10UgM3: 's_d1',
    pm1UgM3: 's_d2',
    temperatureC: 's_t0',
    humidityPct: 's_h0',
  },
  reference: { pm25UgM3: 'PM2_5', pm10UgM3: 'PM10' },
};

function decodeFeed(
  feed: Record<string, unknown>,
  index: number,
  ctx: DecodeContext,
): DecodeResult {
  const deviceId = feed['device_id'];
  if (typeof deviceId !== 'string') {
    return decodeError('missing-device-id', `feeds[${index}] has no device_id`);
  }
  if (!isValidDeviceId(deviceId)) {
    return decodeError(
      'invalid-device-id',
      `feeds[${index}]: device_id ${JSON.stringify(deviceId)} is not a valid id`,
    );
  }
  const app = typeof feed['app'] === 'string' ? feed['app'] : null;
  const profile = appProfile(app);
  const keys = KEYS[profile.kind];
  const flags: FlagCode[] = [];
  const lat = toNumber(feed['gps_lat']);
  const lon = toNumber(feed['gps_lon']);
  const fix = toNumber(feed['gps_fix']);
  const reading: Reading = {
    deviceId,
    time: null,
    lat: null,
    lon: null,
    ...readMeasures((m) => {
      const key = keys[m.field];
      return key === undefined ? NOT_CARRIED : feed[key];
    }, flags),
    format: 'lass-opendata',
    app,
    firmware: typeof feed['fw_ver'] === 'string' ? feed['fw_ver'] : null,
    flags,
    kind: profile.kind,
  };
  applyTime(reading, feedTime(feed, profile.clock), ctx);
  applyPosition(reading, lat === null || lon === null ? null : { lat, lon, fix });
  const calibrated = toNumber(feed['c_d0']);
  if (calibrated !== null) {
    reading.pm25CalibratedUgM3 = calibrated;
    reading.calibrationModel = `lass:${String(feed['c_d0_method'])}`;
  }
  checkPmOrder(reading);
  checkHumidity(reading);
  return { ok: true, readings: [reading] };
}

/** `timestamp` is UTC (`2020-05-23T02:19:20Z`); older records have only `date` and `time`. */
function feedTime(feed: Record<string, unknown>, clock: 'UTC' | 'Asia/Taipei'): number | null {
  const ts = feed['timestamp'];
  if (typeof ts === 'string') {
    const ms = Date.parse(ts);
    return Number.isNaN(ms) ? null : ms;
  }
  const date = feed['date'];
  const time = feed['time'];
  return typeof date === 'string' && typeof time === 'string'
    ? parseLassDateTime(date, time, clock)
    : null;
}

function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v !== '' && v !== 'N/A') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
