import type { Reading } from '@airbox/contracts';
import { appProfile, ZONE_OFFSET_MIN } from './apps.ts';
import { splitLass } from './split.ts';

/**
 * One LASS ver_format=3 message as LinkIt ONE / AirBox firmware builds it. Field order on
 * the wire is fixed (header, sensors in the order given, then GPS); sensor values carry two
 * decimals and GPS coordinates six, as the firmware's `sprintf` does.
 */
export interface LassV3Message {
  fmtOpt: string;
  app: string;
  verApp: string;
  deviceId: string;
  tick: number;
  /** Device clock, as sent: `YYYY-MM-DD` and `HH:MM:SS`. */
  date: string;
  time: string;
  device: string;
  /** `[key, value]` in wire order, e.g. `['s_d0', 33]` (LASS ver_format=3: s_d0 = PM2.5). */
  sensors: [string, number][];
  /** Coordinates as the device writes them (LinkIt ONE: NMEA ddmm.mmmm / 100). */
  gps: { lat: number; lon: number; fix: number; num: number; alt: number } | null;
}

export function encodeLassV3(m: LassV3Message): string {
  let out =
    `|ver_format=3|fmt_opt=${m.fmtOpt}|app=${m.app}|ver_app=${m.verApp}` +
    `|device_id=${m.deviceId}|tick=${m.tick}|date=${m.date}|time=${m.time}|device=${m.device}`;
  for (const [key, value] of m.sensors) out += `|${key}=${value.toFixed(2)}`;
  if (m.gps !== null) {
    const g = m.gps;
    out += `|gps_lat=${g.lat.toFixed(6)}|gps_lon=${g.lon.toFixed(6)}|gps_fix=${g.fix}|gps_num=${g.num}|gps_alt=${g.alt}`;
  }
  return out;
}

const HEADER = [
  'ver_format',
  'fmt_opt',
  'app',
  'ver_app',
  'device_id',
  'tick',
  'date',
  'time',
  'device',
];
const GPS = ['gps_lat', 'gps_lon', 'gps_fix', 'gps_num', 'gps_alt'];

/** The message structure of a ver_format=3 payload, or null when it is not one. */
export function parseLassV3(payload: string): LassV3Message | null {
  const f = splitLass(payload);
  if (f === null || f.get('ver_format') !== '3') return null;
  const sensors: [string, number][] = [];
  for (const [key, value] of f) {
    if (HEADER.includes(key) || GPS.includes(key)) continue;
    const n = Number(value);
    if (!Number.isFinite(n)) return null;
    sensors.push([key, n]);
  }
  const gps = f.has('gps_lat')
    ? {
        lat: Number(f.get('gps_lat')),
        lon: Number(f.get('gps_lon')),
        fix: Number(f.get('gps_fix') ?? 0),
        num: Number(f.get('gps_num') ?? 0),
        alt: Number(f.get('gps_alt') ?? 0),
      }
    : null;
  return {
    fmtOpt: f.get('fmt_opt') ?? '0',
    app: f.get('app') ?? '',
    verApp: f.get('ver_app') ?? '',
    deviceId: f.get('device_id') ?? '',
    tick: Number(f.get('tick') ?? 0),
    date: f.get('date') ?? '',
    time: f.get('time') ?? '',
    device: f.get('device') ?? '',
    sensors,
    gps,
  };
}

export interface LassDeviceInfo {
  app: string;
  verApp: string;
  device: string;
  /** Milliseconds since boot, as the firmware's `tick`. */
  tick: number;
}

/**
 * A reading as our firmware sends it to an existing LASS broker: `fmt_opt=1` (the position
 * is decimal degrees, not LinkIt ONE's ddmm/100), the clock in the app's zone, and the
 * sensor keys of ver_format=3. Absent measurements are left out, as LASS devices do.
 */
export function lassV3FromReading(r: Reading, info: LassDeviceInfo): string {
  if (r.time === null) throw new TypeError(`reading of ${r.deviceId} has no time to encode`);
  const ms = Date.parse(r.time);
  const local = new Date(ms + ZONE_OFFSET_MIN[appProfile(info.app).clock] * 60_000).toISOString();
  const sensors: [string, number][] = [];
  const add = (key: string, v: number | null) => v !== null && sensors.push([key, v]);
  add('s_d0', r.pm25UgM3);
  add('s_d1', r.pm10UgM3);
  add('s_d2', r.pm1UgM3);
  add('s_t0', r.temperatureC);
  add('s_h0', r.humidityPct);
  return encodeLassV3({
    fmtOpt: '1',
    app: info.app,
    verApp: info.verApp,
    deviceId: r.deviceId,
    tick: info.tick,
    date: local.slice(0, 10),
    time: local.slice(11, 19),
    device: info.device,
    sensors,
    gps:
      r.lat === null || r.lon === null ? null : { lat: r.lat, lon: r.lon, fix: 1, num: 0, alt: 0 },
  });
}
