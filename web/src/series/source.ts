import type { DeviceRows, HourlyRow, ReadingStore } from '@airbox/store';
import { ApiError } from '../errors.ts';
import type { SeriesAggregation } from '../series-query.ts';
import { DailyAccumulator, type DailyRow } from './daily.ts';

const DAY_MS = 86_400_000;

/**
 * How much of one device the store is asked for at a time: a day of raw readings (1,440
 * rows at 1-minute intervals), a month of hours, a quarter of hours for daily rows. Each
 * request is one primary-key range scan, and no more than one window is held in memory.
 */
const WINDOW_MS: Record<SeriesAggregation, number> = {
  raw: DAY_MS,
  '1h': 31 * DAY_MS,
  '1d': 92 * DAY_MS,
};

export interface SeriesPlan {
  /** Sorted and unique: rows come out by device, then time, as the store orders them. */
  deviceIds: string[];
  fromMs: number;
  toMs: number;
  agg: SeriesAggregation;
  tz: string;
}

/** A batch of roll-up rows; raw readings come as rows instead (rawRowBatches). */
export type SeriesBatch = { agg: '1h'; rows: HourlyRow[] } | { agg: '1d'; rows: DailyRow[] };

/**
 * Waits for the event loop's next turn. SQLite answers synchronously, so without it a
 * generator pulled by a fast client never leaves the microtask queue: a whole export ran
 * in one turn (seconds), and every box's PUBACK and page load waited behind it. One
 * device-window a turn is a few ms.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function* windows(plan: SeriesPlan): Generator<{ fromMs: number; toMs: number }> {
  const step = WINDOW_MS[plan.agg];
  for (let fromMs = plan.fromMs; fromMs < plan.toMs; fromMs += step) {
    yield { fromMs, toMs: Math.min(fromMs + step, plan.toMs) };
  }
}

async function* dailyBatches(store: ReadingStore, plan: SeriesPlan, deviceId: string) {
  const acc = new DailyAccumulator(plan.tz);
  for (const w of windows(plan)) {
    await nextTurn();
    const days: DailyRow[] = [];
    for (const hour of await store.hourly({ deviceIds: [deviceId], ...w })) {
      const done = acc.push(hour);
      if (done !== null) days.push(done);
    }
    if (days.length > 0) yield { agg: '1d' as const, rows: days };
  }
  const last = acc.flush();
  if (last !== null) yield { agg: '1d' as const, rows: [last] };
}

/**
 * The roll-up rows of a series query (agg 1h or 1d) in batches, one device and one time
 * window at a time, so a CSV export of any size streams with one window in memory.
 */
export async function* seriesBatches(
  store: ReadingStore,
  plan: SeriesPlan & { agg: '1h' | '1d' },
): AsyncGenerator<SeriesBatch> {
  for (const deviceId of plan.deviceIds) {
    if (plan.agg === '1d') {
      yield* dailyBatches(store, plan, deviceId);
      continue;
    }
    for (const w of windows(plan)) {
      await nextTurn();
      yield { agg: '1h', rows: await store.hourly({ deviceIds: [deviceId], ...w }) };
    }
  }
}

/**
 * The raw readings of a plan as the store's rows, one device-window at a time (as
 * seriesBatches): a window without readings yields nothing.
 */
export async function* rawRowBatches(
  store: ReadingStore,
  plan: SeriesPlan,
): AsyncGenerator<DeviceRows> {
  for (const deviceId of plan.deviceIds) {
    for (const w of windows(plan)) {
      await nextTurn();
      yield* await store.seriesRows({ deviceIds: [deviceId], ...w });
    }
  }
}

export function tooManyRows(maxRows: number): ApiError {
  return new ApiError(
    400,
    'too-many-rows',
    `format: a JSON answer holds at most ${maxRows.toLocaleString('en-US')} rows and this query has more; use format=csv (streamed, no row ceiling), a coarser agg, fewer devices or a shorter range`,
  );
}

/** All roll-up rows of the plan for one JSON document, refused past `maxRows` (CSV has no ceiling). */
export async function collectSeries(
  store: ReadingStore,
  plan: SeriesPlan & { agg: '1h' | '1d' },
  maxRows: number,
): Promise<unknown[]> {
  const rows: unknown[] = [];
  for await (const batch of seriesBatches(store, plan)) {
    if (rows.length + batch.rows.length > maxRows) throw tooManyRows(maxRows);
    for (const row of batch.rows) rows.push(row);
  }
  return rows;
}
