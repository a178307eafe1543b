import type { QuietHours } from '../types.ts';

/**
 * Quiet hours are local clock times in the subscriber's time zone ('22:00'–'07:00' runs past
 * midnight). A message due inside them is held until they end, never dropped.
 */

const MINUTES_A_DAY = 24 * 60;

function minutesOf(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) return NaN;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The local time of day at `ms` in `timeZone`, in minutes since midnight (seconds kept as a fraction). */
function localMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute') + get('second') / 60;
}

/**
 * When the quiet hours around `nowMs` end, or null when `nowMs` is outside them (or they are
 * malformed: better a message at night than none). A daylight-saving jump can make the end
 * an hour off; the dispatcher then finds the message still quiet and holds it again.
 */
export function quietUntil(quiet: QuietHours | null, nowMs: number): number | null {
  if (quiet === null) return null;
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from === to) return null;
  let local: number;
  try {
    local = localMinutes(nowMs, quiet.timeZone);
  } catch {
    return null;
  }
  const inside = from < to ? local >= from && local < to : local >= from || local < to;
  if (!inside) return null;
  const untilEnd = (to - local + MINUTES_A_DAY) % MINUTES_A_DAY;
  return nowMs + Math.ceil(untilEnd * 60_000);
}
