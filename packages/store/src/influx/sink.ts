import { InfluxStoreError, describeError } from './errors.ts';

/**
 * Where batches of line-protocol points go: the server. Either every point of the batch is
 * acknowledged, or the server is unavailable (retry later), or it refused the request as
 * bad (retrying the same bytes cannot help).
 */
export type SendOutcome =
  | { kind: 'acknowledged' }
  | { kind: 'unavailable'; error: InfluxStoreError }
  | { kind: 'refused'; error: InfluxStoreError };

export interface LineSink {
  send(lines: readonly string[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

/**
 * 400 (unparsable, field type conflict, time out of range), 413 (too large) and 422 are
 * about the points: split the batch and dead-letter the point that is refused alone.
 * Everything else — network errors, timeouts, 5xx, 429, and also 401/403/404 (bad token,
 * missing database: an operator fixes those and the spilled points are then replayed) — is
 * "unavailable".
 */
const REFUSED_STATUSES = new Set([400, 413, 422]);

export function outcomeOfStatus(status: number, body: string, where: string): SendOutcome {
  if (status >= 200 && status < 300) return { kind: 'acknowledged' };
  const message = `${where} answered ${status}: ${body.trim().slice(0, 500)}`;
  if (REFUSED_STATUSES.has(status)) {
    return { kind: 'refused', error: new InfluxStoreError('influx-refused', message, { status }) };
  }
  return {
    kind: 'unavailable',
    error: new InfluxStoreError('influx-unavailable', message, { status }),
  };
}

export function unavailable(where: string, cause: unknown): SendOutcome {
  return {
    kind: 'unavailable',
    error: new InfluxStoreError('influx-unavailable', `${where}: ${describeError(cause)}`, {
      cause,
    }),
  };
}

export interface V1SinkOptions {
  url: string;
  database: string;
  retentionPolicy?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
  /** Called when a write meets "database not found"; the batch is then retried once. */
  createDatabase?: (() => Promise<void>) | undefined;
}

export function basicAuth(
  username: string | undefined,
  password: string | undefined,
): Record<string, string> {
  if (username === undefined) return {};
  const token = Buffer.from(`${username}:${password ?? ''}`).toString('base64');
  return { authorization: `Basic ${token}` };
}

/**
 * InfluxDB 1.x `/write` (1.6.7 has no `/api/v2/write`). Credentials go in a Basic header,
 * which 1.x accepts like `u`/`p`, so they stay out of URLs and logs.
 * Reference: https://docs.influxdata.com/influxdb/v1/tools/api/#write-http-endpoint
 */
export class V1Sink implements LineSink {
  private readonly opts: V1SinkOptions;
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(opts: V1SinkOptions) {
    this.opts = opts;
    const params = new URLSearchParams({ db: opts.database, precision: 'ms' });
    if (opts.retentionPolicy !== undefined) params.set('rp', opts.retentionPolicy);
    this.endpoint = `${opts.url}/write?${params.toString()}`;
    this.headers = {
      'content-type': 'text/plain; charset=utf-8',
      ...basicAuth(opts.username, opts.password),
    };
  }

  async send(lines: readonly string[]): Promise<SendOutcome> {
    const outcome = await this.post(lines);
    const missingDb =
      outcome.kind === 'unavailable' &&
      outcome.error.status === 404 &&
      outcome.error.message.includes('database not found');
    if (!missingDb || this.opts.createDatabase === undefined) return outcome;
    try {
      await this.opts.createDatabase();
    } catch (err) {
      return unavailable(`${this.opts.url}: CREATE DATABASE`, err);
    }
    return this.post(lines);
  }

  private async post(lines: readonly string[]): Promise<SendOutcome> {
    const where = `${this.opts.url}/write`;
    try {
      const res = await this.opts.fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body: lines.join('\n'),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      return outcomeOfStatus(res.status, await res.text(), where);
    } catch (err) {
      return unavailable(where, err);
    }
  }

  async close(): Promise<void> {}
}
