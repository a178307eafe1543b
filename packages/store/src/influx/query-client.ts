import { InfluxStoreError, describeError } from './errors.ts';

/** One row of an InfluxQL result: the series' group-by tags and the row's columns. */
export interface QueryRow {
  tags: Readonly<Record<string, string>>;
  values: Readonly<Record<string, unknown>>;
}

export interface QueryTarget {
  /** Server base URL, no trailing slash. */
  url: string;
  database: string;
  /** Auth headers (Basic for 1.x, Token for 2.x/3.x). */
  headers: Record<string, string>;
  timeoutMs: number;
  fetch: typeof fetch;
}

// Chunked responses bound the server's memory for long series; each chunk is one JSON line.
const CHUNK_ROWS = 10_000;

/**
 * Runs one InfluxQL statement over `/query`, which InfluxDB 1.x, 2.x (via the DBRP mapping)
 * and 3.x all serve. Times come back as epoch ms (`epoch=ms`).
 */
export async function queryInfluxQl(target: QueryTarget, q: string): Promise<QueryRow[]> {
  const params = new URLSearchParams({
    db: target.database,
    epoch: 'ms',
    chunked: 'true',
    chunk_size: String(CHUNK_ROWS),
  });
  let body: string;
  let status: number;
  try {
    // POST with a form body: a query naming many devices can outgrow a URL.
    const res = await target.fetch(`${target.url}/query?${params.toString()}`, {
      method: 'POST',
      headers: { ...target.headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ q }).toString(),
      signal: AbortSignal.timeout(target.timeoutMs),
    });
    status = res.status;
    body = await res.text();
  } catch (err) {
    throw new InfluxStoreError(
      'influx-query-failed',
      `${target.url}/query: ${describeError(err)}`,
      { cause: err },
    );
  }
  if (status < 200 || status >= 300) {
    throw new InfluxStoreError(
      'influx-query-failed',
      `${target.url}/query answered ${status}: ${body.slice(0, 500)}`,
      {
        status,
      },
    );
  }
  return parseQueryBody(body, q);
}

interface Series {
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}
interface StatementResult {
  error?: string;
  series?: Series[];
}
interface QueryChunk {
  error?: string;
  results?: StatementResult[];
}

/** Flattens every chunk's series into rows; a "database not found" error means no rows. */
export function parseQueryBody(body: string, q: string): QueryRow[] {
  const rows: QueryRow[] = [];
  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    let chunk: QueryChunk;
    try {
      chunk = JSON.parse(line) as QueryChunk;
    } catch (err) {
      throw new InfluxStoreError(
        'influx-query-failed',
        `unparsable /query answer to ${q}: ${line.slice(0, 200)}`,
        { cause: err },
      );
    }
    for (const error of [chunk.error, ...(chunk.results ?? []).map((r) => r.error)]) {
      if (error === undefined) continue;
      if (error.startsWith('database not found')) return [];
      throw new InfluxStoreError('influx-query-failed', `${error} (query: ${q})`);
    }
    for (const result of chunk.results ?? []) {
      for (const series of result.series ?? []) rows.push(...seriesRows(series));
    }
  }
  return rows;
}

function seriesRows(series: Series): QueryRow[] {
  const columns = series.columns ?? [];
  const tags = series.tags ?? {};
  return (series.values ?? []).map((row) => {
    const values: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      values[column] = row[i] ?? null;
    });
    return { tags, values };
  });
}

/** An InfluxQL string literal: `'…'` with `\` and `'` escaped. */
export function quoteLiteral(s: string): string {
  return `'${s.replace(/[\\']/g, '\\$&')}'`;
}

/** An InfluxQL identifier: `"…"` with `\` and `"` escaped. */
export function quoteIdentifier(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}
