/**
 * What InfluxDB holds after (and during) a soak, read with InfluxQL over `/query`. The
 * schema is the store's (packages/store/src/influx/README.md): measurement `reading`, tags
 * `device_id`, `format`, `kind` (`box` for the boxes' readings), string fields
 * `received_at` (always written) and `device_time` (what a box with a broken clock claimed;
 * its `time` is then the receive time).
 */
import { z } from 'zod';

const Series = z.object({
  name: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  columns: z.array(z.string()),
  values: z.array(z.array(z.union([z.string(), z.number(), z.null()]))).optional(),
});
const Result = z.object({ series: z.array(Series).optional(), error: z.string().optional() });
const Response = z.object({ results: z.array(Result).optional(), error: z.string().optional() });
type Series = z.infer<typeof Series>;

export interface InfluxTarget {
  url: string;
  database: string;
}

/**
 * One statement, chunked (InfluxDB answers a long result as several JSON objects, one a
 * line, so no server row limit cuts it). A database not created yet reads as empty.
 */
export async function influxQuery(
  t: InfluxTarget,
  statement: string,
  timeoutMs = 30_000,
): Promise<Series[]> {
  const params = new URLSearchParams({
    db: t.database,
    q: statement,
    epoch: 'ms',
    chunked: 'true',
    chunk_size: '10000',
  });
  const res = await fetch(`${t.url}/query?${params.toString()}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const parsed = Response.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`InfluxDB /query: unexpected answer to ${statement}`);
    const errors = [parsed.data.error, ...(parsed.data.results ?? []).map((r) => r.error)];
    const error = errors.find((e) => e !== undefined);
    if (error?.startsWith('database not found')) return [];
    if (error !== undefined) throw new Error(`InfluxDB /query: ${error} (${statement})`);
    for (const r of parsed.data.results ?? []) series.push(...(r.series ?? []));
  }
  if (!res.ok)
    throw new Error(`InfluxDB /query answered HTTP ${res.status}: ${text.slice(0, 200)}`);
  return series;
}

/** Rows of the boxes' readings: a cheap count for progress (a duplicate row counts twice). */
export async function countRows(t: InfluxTarget, timeoutMs = 10_000): Promise<number> {
  const series = await influxQuery(
    t,
    `SELECT count("received_at") FROM "reading" WHERE "kind" = 'box'`,
    timeoutMs,
  );
  return Number(series[0]?.values?.[0]?.[1] ?? 0);
}

export interface StoredCount {
  /** Rows of the boxes' readings in InfluxDB. */
  rows: number;
  /** Distinct readings: (device, the time the box put on it). */
  readings: number;
  /** Rows beyond one per reading: a reading written twice under two keys. */
  duplicates: number;
  devices: number;
}

/**
 * Every row's device and time, to count readings exactly. InfluxDB itself keeps one point
 * per (device, format, kind, time), so a plain redelivery overwrites; a duplicate row
 * needs a second key for one reading — a box with a broken clock gets the receive time as
 * `time`, and a message received twice (its PUBACK lost to a broker crash) gets two. So a
 * reading is identified by the time the box put on it: `device_time` when kept, else
 * `time`.
 */
export async function countStored(t: InfluxTarget): Promise<StoredCount> {
  const series = await influxQuery(
    t,
    `SELECT "device_time", "received_at" FROM "reading" WHERE "kind" = 'box' GROUP BY "device_id"`,
    120_000,
  );
  const keys = new Map<string, Set<string>>();
  let rows = 0;
  for (const s of series) {
    const device = s.tags?.['device_id'] ?? '';
    const timeAt = s.columns.indexOf('time');
    const deviceTimeAt = s.columns.indexOf('device_time');
    let seen = keys.get(device);
    if (seen === undefined) keys.set(device, (seen = new Set()));
    for (const v of s.values ?? []) {
      rows++;
      const claimed = v[deviceTimeAt];
      seen.add(typeof claimed === 'string' ? `d${Date.parse(claimed)}` : `d${Number(v[timeAt])}`);
    }
  }
  let readings = 0;
  for (const s of keys.values()) readings += s.size;
  return { rows, readings, duplicates: rows - readings, devices: keys.size };
}

export interface DeadLetterCount {
  /** Dead letters by code. */
  byCode: Record<string, number>;
  /**
   * Readings acknowledged but kept as dead letters, not stored: backfilled items whose box
   * clock is impossible have no time to store them under (ingest/src/worker/stream-worker.ts
   * keeps the message with reason "N of M readings have no trustworthy time").
   */
  untimedReadings: number;
}

export async function countDeadLetters(t: InfluxTarget): Promise<DeadLetterCount> {
  const byCode: Record<string, number> = {};
  for (const s of await influxQuery(
    t,
    `SELECT count("received_at") FROM "dead_letter" GROUP BY "code"`,
  )) {
    byCode[s.tags?.['code'] ?? '?'] = Number(s.values?.[0]?.[1] ?? 0);
  }
  let untimedReadings = 0;
  for (const s of await influxQuery(
    t,
    `SELECT "reason" FROM "dead_letter" WHERE "code" = 'clock-invalid'`,
  )) {
    const at = s.columns.indexOf('reason');
    for (const v of s.values ?? []) {
      const m = /^(\d+) of \d+ readings have no trustworthy time/.exec(String(v[at]));
      if (m) untimedReadings += Number(m[1]);
    }
  }
  return { byCode, untimedReadings };
}

/** A sample's value from Prometheus text (`name value`), or null when it is not there. */
export function metricValue(text: string, name: string): number | null {
  const m = new RegExp(`^${name} ([0-9.eE+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}
