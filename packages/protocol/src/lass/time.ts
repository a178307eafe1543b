import { ZONE_OFFSET_MIN, type ClockZone } from './apps.ts';

/** LASS started in 2015; a device date before 2014 is a clock that was never set. */
export const EARLIEST_PLAUSIBLE_MS = Date.UTC(2014, 0, 1);
/** Allowed lead of a device clock over the receive time before `clock-skew`. */
export const CLOCK_SKEW_LIMIT_MS = 10 * 60_000;

/**
 * Parses LASS `date` and `time` fields into epoch milliseconds, or null when they are not
 * a date at all. Two date shapes exist in the wild:
 *  - `2015-10-18` (ver_format 2 and 3, AirBox)
 *  - `9/7/15` = D/M/YY (ver_format 0 and 1; lass.py `datetime_format_def = '%d/%m/%y …'`)
 * Times are `H:M:S`, not always zero-padded (`1:49:3`).
 */
export function parseLassDateTime(date: string, time: string, zone: ClockZone): number | null {
  const d = parseDate(date);
  const t = parseTime(time);
  if (d === null || t === null) return null;
  const [year, month, day] = d;
  const [hour, minute, second] = t;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31/2 over into March; such a date is not a real one.
  const check = new Date(ms);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null;
  return ms - ZONE_OFFSET_MIN[zone] * 60_000;
}

function parseDate(s: string): [number, number, number] | null {
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(s);
  if (m) {
    const y = Number(m[3]);
    // Two-digit years pivot as C's strptime %y does (lass.py parses them with it):
    // 69–99 are 1969–1999, 00–68 are 2000–2068. So `6/1/80` is 1980-01-06.
    return [y >= 100 ? y : y >= 69 ? 1900 + y : 2000 + y, Number(m[2]), Number(m[1])];
  }
  return null;
}

function parseTime(s: string): [number, number, number] | null {
  const m = /^(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d+)?$/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const sec = Number(m[3]);
  if (h > 23 || min > 59 || sec > 60) return null;
  return [h, min, Math.min(sec, 59)];
}
