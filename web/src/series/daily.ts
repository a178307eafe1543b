import { MEASURES, rollupMeans, rollupRecord, type RollupValues } from '@airbox/contracts';
import type { HourlyRow } from '@airbox/store';

/** One device-day, built from the hourly roll-up: the hourly means, over the day. */
export interface DailyRow extends RollupValues {
  deviceId: string;
  /** Calendar day (YYYY-MM-DD) in the request's time zone (`tz`, default UTC). */
  day: string;
  /** Hourly roll-up rows that fell in the day (at most 24; 23 or 25 on a DST change). */
  hours: number;
  /** Readings behind the day. */
  count: number;
}

/** The means of a day, in roll-up column order: sums and weights are kept in this order. */
const MEANS = rollupMeans(MEASURES);

/**
 * Maps the start of an hour to its calendar day in `tz`. An hour belongs to the day it
 * starts in; in zones whose offset is not whole hours (e.g. Asia/Kolkata, +05:30) a day
 * boundary falls inside an hour, which then counts wholly for the earlier day.
 */
export function dayOfHour(tz: string): (hourMs: number) => string {
  if (tz === 'UTC') return (ms) => new Date(ms).toISOString().slice(0, 10);
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  // The same hours recur for every device of a request; Intl formatting is the slow part.
  const cache = new Map<number, string>();
  return (ms) => {
    let day = cache.get(ms);
    if (day === undefined) {
      const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
      day = `${parts['year']}-${parts['month']}-${parts['day']}`;
      cache.set(ms, day);
    }
    return day;
  };
}

interface OpenDay {
  deviceId: string;
  day: string;
  hours: number;
  count: number;
  sums: number[];
  weights: number[];
}

/**
 * Folds hourly rows, ordered by device then hour, into daily rows. Each hourly mean is
 * weighted by the hour's reading count, so a day's mean is the mean of its readings. The
 * roll-up keeps one count per hour, not per measure: an hour where only some readings had
 * a measure, or had it flagged out of range (left out of the hour's mean), weighs that
 * measure by all of its readings (exact whenever a device reports every measure in range in
 * every reading, which working boxes do).
 */
export class DailyAccumulator {
  readonly #dayOf: (hourMs: number) => string;
  #open: OpenDay | null = null;

  constructor(tz: string) {
    this.#dayOf = dayOfHour(tz);
  }

  /** Adds an hour; returns the previous day when this hour starts a new one. */
  push(row: HourlyRow): DailyRow | null {
    const day = this.#dayOf(Date.parse(row.hour));
    const open = this.#open;
    if (open !== null && open.deviceId === row.deviceId && open.day === day) {
      add(open, row);
      return null;
    }
    const done = this.flush();
    const fresh: OpenDay = {
      deviceId: row.deviceId,
      day,
      hours: 0,
      count: 0,
      sums: MEANS.map(() => 0),
      weights: MEANS.map(() => 0),
    };
    add(fresh, row);
    this.#open = fresh;
    return done;
  }

  /** The day in progress, if any; call at the end of the input. */
  flush(): DailyRow | null {
    const open = this.#open;
    this.#open = null;
    if (open === null) return null;
    return {
      deviceId: open.deviceId,
      day: open.day,
      hours: open.hours,
      count: open.count,
      ...rollupRecord(MEANS, (_, i) => {
        const weight = open.weights[i] ?? 0;
        return weight > 0 ? (open.sums[i] ?? 0) / weight : null;
      }),
    };
  }
}

function add(open: OpenDay, row: HourlyRow): void {
  open.hours += 1;
  open.count += row.count;
  MEANS.forEach((m, i) => {
    const mean = row[m.field];
    if (mean === null) return;
    open.sums[i] = (open.sums[i] ?? 0) + mean * row.count;
    open.weights[i] = (open.weights[i] ?? 0) + row.count;
  });
}

/** Every daily row of hourly rows that are ordered by device, then hour. */
export function dailyFromHourly(rows: Iterable<HourlyRow>, tz: string): DailyRow[] {
  const acc = new DailyAccumulator(tz);
  const out: DailyRow[] = [];
  for (const row of rows) {
    const done = acc.push(row);
    if (done !== null) out.push(done);
  }
  const last = acc.flush();
  if (last !== null) out.push(last);
  return out;
}
