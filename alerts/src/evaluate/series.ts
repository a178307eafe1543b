import { NOWCAST_HOURS, nowCastPm25 } from '@airbox/aqi';

const HOUR_MS = 3_600_000;

/**
 * One box's recent PM2.5 (the value the map shows), enough for both averages an alert may
 * compare: the mean of the last 60 minutes, and the NowCast of the last 12 hourly means.
 * Bounded: readings older than an hour and hours older than twelve are dropped as new ones come.
 */
export class BoxSeries {
  private readonly times: number[] = [];
  private readonly values: number[] = [];
  private sum = 0;
  /** Clock hours (start ms) → sum and count, for the NowCast's hourly means. */
  private readonly hours = new Map<number, { sum: number; n: number }>();
  lastMs = -Infinity;

  /** Adds a reading; one older than the newest is left out (a late backlog does not rewind). */
  add(atMs: number, valueUgM3: number): boolean {
    if (atMs < this.lastMs) return false;
    this.lastMs = atMs;
    this.times.push(atMs);
    this.values.push(valueUgM3);
    this.sum += valueUgM3;
    this.dropBefore(atMs - HOUR_MS);
    const hour = Math.floor(atMs / HOUR_MS) * HOUR_MS;
    const bucket = this.hours.get(hour) ?? { sum: 0, n: 0 };
    bucket.sum += valueUgM3;
    bucket.n += 1;
    this.hours.set(hour, bucket);
    for (const h of this.hours.keys())
      if (h <= hour - NOWCAST_HOURS * HOUR_MS) this.hours.delete(h);
    return true;
  }

  /** The mean of the readings in the hour up to the newest one. */
  hourlyMean(): number | null {
    return this.values.length === 0 ? null : this.sum / this.values.length;
  }

  /** EPA NowCast over the clock hours up to the newest reading's (its hour counts as the latest). */
  nowCast(): number | null {
    if (this.values.length === 0) return null;
    const latest = Math.floor(this.lastMs / HOUR_MS) * HOUR_MS;
    const hourly: (number | null)[] = [];
    for (let i = 0; i < NOWCAST_HOURS; i++) {
      const b = this.hours.get(latest - i * HOUR_MS);
      hourly.push(b ? b.sum / b.n : null);
    }
    return nowCastPm25(hourly);
  }

  value(averaging: 'hourly' | 'nowcast'): number | null {
    return averaging === 'hourly' ? this.hourlyMean() : this.nowCast();
  }

  private dropBefore(cutMs: number): void {
    let drop = 0;
    while (drop < this.times.length && this.times[drop]! <= cutMs) {
      this.sum -= this.values[drop]!;
      drop++;
    }
    if (drop > 0) {
      this.times.splice(0, drop);
      this.values.splice(0, drop);
    }
    // Sums drift with many additions and subtractions: recomputed when the window empties.
    if (this.values.length === 0) this.sum = 0;
  }
}

/** The median: half the boxes may read wildly wrong without moving it. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
