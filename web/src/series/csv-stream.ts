import type { ReadingStore } from '@airbox/store';
import {
  DAILY_COLUMNS,
  dailyCsvLine,
  HOURLY_COLUMNS,
  hourlyCsvLine,
  READING_COLUMNS,
} from '../csv.ts';
import { csvText, ReadingCsv } from './reading-text.ts';
import { rawRowBatches, seriesBatches, type SeriesBatch, type SeriesPlan } from './source.ts';
import { TextChunks } from './text-chunks.ts';

const COLUMNS = { raw: READING_COLUMNS, '1h': HOURLY_COLUMNS, '1d': DAILY_COLUMNS } as const;

function lines(batch: SeriesBatch): string {
  switch (batch.agg) {
    case '1h':
      return batch.rows.map(hourlyCsvLine).join('');
    case '1d':
      return batch.rows.map(dailyCsvLine).join('');
  }
}

/** Raw readings as UTF-8 bytes, a device-window at a time (see TextChunks for why bytes). */
async function* rawCsv(
  store: ReadingStore,
  plan: SeriesPlan,
  onRows: (rows: number) => void,
): AsyncGenerator<Buffer> {
  const reading = new ReadingCsv();
  for await (const { deviceId, rows } of rawRowBatches(store, plan)) {
    onRows(rows.length);
    const deviceCell = csvText(deviceId);
    const text = new TextChunks();
    for (const row of rows) text.append(reading.line(deviceCell, row));
    yield* text.take();
  }
}

/**
 * The CSV of a series as chunks: the header, then one chunk per device-window. Pulled by a
 * Readable, so the next window is only queried once the client has taken the last
 * (backpressure), and a client that goes away stops the queries.
 */
export async function* seriesCsv(
  store: ReadingStore,
  plan: SeriesPlan,
  onRows: (rows: number) => void = () => {},
): AsyncGenerator<string | Buffer> {
  yield COLUMNS[plan.agg].join(',') + '\r\n';
  const { agg } = plan;
  if (agg === 'raw') {
    yield* rawCsv(store, plan, onRows);
    return;
  }
  for await (const batch of seriesBatches(store, { ...plan, agg })) {
    if (batch.rows.length === 0) continue;
    onRows(batch.rows.length);
    yield lines(batch);
  }
}

/** `airbox-1h-20261127T000000Z-20261128T000000Z.csv`: what, and which range. */
export function seriesFileName(plan: SeriesPlan): string {
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `airbox-${plan.agg}-${stamp(plan.fromMs)}-${stamp(plan.toMs)}.csv`;
}
