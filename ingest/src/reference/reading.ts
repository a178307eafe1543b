import type { FlagCode, FormatId, MeasureField, Reading } from '@airbox/contracts';
import { NOT_CARRIED, parseLassDateTime, readMeasures } from '@airbox/protocol';
import { stationDeviceId, type ReferenceStation } from './stations.ts';

export interface StationValues {
  timeMs: number;
  pm25: unknown;
  pm10: unknown;
}

/** A reference reading at the station's registry position. */
export function stationReading(
  station: ReferenceStation,
  values: StationValues,
  source: { format: FormatId; app: string },
): Reading {
  const flags: FlagCode[] = [];
  // The protocol's own reading of a concentration as a source wrote it (a number, a numeric
  // string, or `""`/`"N/A"`/absent → `<measure>-missing`, garbage → `-invalid`, outside the
  // plausible range → `-out-of-range`, value kept). Stations publish PM2.5 and PM10 only:
  // every other measure is null, without a flag.
  const wire: Partial<Record<MeasureField, unknown>> = {
    pm25UgM3: values.pm25,
    pm10UgM3: values.pm10,
  };
  const measures = readMeasures(
    (m) => (Object.hasOwn(wire, m.field) ? wire[m.field] : NOT_CARRIED),
    flags,
  );
  const { pm25UgM3, pm10UgM3 } = measures;
  // The protocol's PM order check (1 µg/m³ slack), so a station-hour gets the same flags
  // whichever source (LASS copy or MOENV) it came through.
  if (pm25UgM3 !== null && pm10UgM3 !== null && pm25UgM3 > pm10UgM3 + 1) flags.push('pm-order');
  return {
    deviceId: stationDeviceId(station),
    time: new Date(values.timeMs).toISOString(),
    lat: station.lat,
    lon: station.lon,
    ...measures,
    format: source.format,
    app: source.app,
    firmware: null,
    flags,
    kind: 'reference',
  };
}

const HOUR_MS = 3_600_000;

/**
 * MOENV publish times are Asia/Taipei local time without a zone: `2017-07-15 14:00` (AQX)
 * or `2024/05/01 14:00:00` (API v2 aqx_p_432). Returns the start of that hour in epoch ms,
 * or null. The hour is the one the publish time names, as LASS's `last-all-epa.json`
 * stores it (PublishTime `2020-05-23 10:00` → timestamp `2020-05-23T02:00:00Z`), so one
 * station-hour has one (device, time) key whichever source delivered it.
 * Parsing is the protocol's (`parseLassDateTime`, UTC+8, no daylight saving since 1979).
 */
export function parseTaipeiHour(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = /^\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*$/.exec(
    text,
  );
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const ms = parseLassDateTime(`${y}-${mo}-${d}`, `${h}:${mi}:${s ?? '00'}`, 'Asia/Taipei');
  return ms === null ? null : Math.floor(ms / HOUR_MS) * HOUR_MS;
}
