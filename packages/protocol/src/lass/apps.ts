/**
 * What LASS apps and device models mean for decoding, as data (STYLE: catalogues are data).
 * Sources: LinkItONEDevGroup/LASS (DataPresentation/lass.py, the LASS README on formats),
 * and the LASS importer's handling of the AirBox stream.
 */
import type { MeasureField } from '@airbox/contracts';

/** Time zone that a device's `date`/`time` fields are in. */
export type ClockZone = 'UTC' | 'Asia/Taipei';

export interface AppProfile {
  clock: ClockZone;
  kind: 'box' | 'reference';
}

const DIY: AppProfile = { clock: 'UTC', kind: 'box' };

/**
 * LASS DIY devices send UTC. The AirBox stream (`app=AirBox`, Edimax/Realtek firmware) was
 * read by LASS's importer as Asia/Taipei local time. `EPA_COPY` is LASS republishing the
 * government stations (its records carry a UTC `timestamp` of their own).
 */
export const APP_PROFILES: Record<string, AppProfile> = {
  AirBox: { clock: 'Asia/Taipei', kind: 'box' },
  EPA_COPY: { clock: 'UTC', kind: 'reference' },
};

export function appProfile(app: string | null): AppProfile {
  return (app !== null && APP_PROFILES[app]) || DIY;
}

/** Offset from UTC in minutes. Taiwan has kept UTC+8 without daylight saving since 1979. */
export const ZONE_OFFSET_MIN: Record<ClockZone, number> = { UTC: 0, 'Asia/Taipei': 480 };

/**
 * How a device model writes `gps_lat`/`gps_lon` when it has a real GPS.
 * LinkIt ONE firmware divides the NMEA `ddmm.mmmm` value by 100 instead of converting it,
 * so 25.025452 means 25° 02.5452′ (= 25.042420°). With `fmt_opt=1` or `FAKE_GPS=1` the
 * position is a fixed, configured one in decimal degrees.
 */
export const GPS_ENCODING: Record<string, 'ddmm/100' | 'decimal'> = {
  LinkItONE: 'ddmm/100',
};

/**
 * ver_format 0/1 carry their measurements in a positional `values=` list. What each slot
 * means depends on the app (lass.py: "0: battery level, 1: battery charging, 2: ground speed,
 * 10: dust sensor, 11: UIdust sensor, 12: sound sensor"; the MAPS app puts barometer,
 * temperature, humidity and light at 10–13, as its own `data-B/T/H/L` keys show).
 * Slot 10 of the example apps is a raw Grove dust count, not µg/m³, so it is not PM2.5.
 */
export const VALUES_SLOTS: Record<string, Partial<Record<MeasureField, number>>> = {
  MAPS: { temperatureC: 11, humidityPct: 12 },
};

/**
 * Named keys that hold measurements, by ver_format (LASS README, "data format"). A measure
 * without keys here (nor a values slot) is one LASS does not carry: it stays null.
 */
export const MEASURE_KEYS: Partial<Record<MeasureField, readonly string[]>> = {
  // LASS ver_format=3: s_d0 = PM2.5, s_d1 = PM10, s_d2 = PM1, s_t0 = °C, s_h0 = %RH
  pm25UgM3: ['s_d0'],
  pm10UgM3: ['s_d1'],
  pm1UgM3: ['s_d2'],
  // ver_format=2 (and ver_format=1 MAPS): data-T = °C, data-H = %RH
  temperatureC: ['s_t0', 'data-T'],
  humidityPct: ['s_h0', 'data-H'],
};
