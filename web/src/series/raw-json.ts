import type { ReadingStore } from '@airbox/store';
import { ReadingJson } from './reading-text.ts';
import { rawRowBatches, tooManyRows, type SeriesPlan } from './source.ts';
import { TextChunks } from './text-chunks.ts';

/** The fields of a series answer before its readings. */
export interface SeriesHead {
  agg: 'raw';
  from: string;
  to: string;
  devices: string[];
}

/** A JSON answer as UTF-8 chunks, and its length in bytes. */
export interface JsonBody {
  chunks: Buffer[];
  byteLength: number;
}

/**
 * The JSON answer of an agg=raw series: exactly the bytes of JSON.stringify of
 * `{ ...head, readings }` with the readings the SQLite adapter's series() returns (with
 * InfluxDB, the same JSON value), written from the store's rows one device-window at a
 * time. Refused past `maxRows` like every JSON series answer, before any byte is sent.
 */
export async function rawSeriesJson(
  store: ReadingStore,
  plan: SeriesPlan,
  head: SeriesHead,
  maxRows: number,
): Promise<JsonBody> {
  const out = new TextChunks();
  // The head as JSON.stringify writes it, up to the readings' opening bracket: `…"readings":[`.
  out.append(JSON.stringify({ ...head, readings: [] }).slice(0, -']}'.length));
  const reading = new ReadingJson();
  let count = 0;
  for await (const { deviceId, rows } of rawRowBatches(store, plan)) {
    if (count + rows.length > maxRows) throw tooManyRows(maxRows);
    const deviceJson = JSON.stringify(deviceId);
    for (const row of rows) {
      const text = reading.object(deviceJson, row);
      out.append(count === 0 ? text : `,${text}`);
      count += 1;
    }
  }
  out.append(']}');
  return { chunks: out.take(), byteLength: out.byteLength };
}
