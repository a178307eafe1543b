import type { StreamWorker } from '../worker/stream-worker.ts';
import { parseMoenvHourly } from './moenv.ts';
import type { RecordProblem } from './problems.ts';
import { asIndex, type ReferenceStation, type StationIndex } from './stations.ts';

/**
 * The MOENV API v2 hourly AQI dataset (aqx_p_432, https://data.moenv.gov.tw/swagger/):
 * every station's latest hour. It needs an API key, passed as `api_key`.
 */
export const MOENV_AQX_URL = 'https://data.moenv.gov.tw/api/v2/aqx_p_432?format=JSON&limit=1000';

export type FeedLog = (event: string, fields: Record<string, unknown>) => void;

export interface ReferenceFeedOptions {
  url: string;
  /** Sent as the `api_key` query parameter; never logged. */
  apiKey?: string;
  /** Between successful polls (default 1 h, MOENV publishes hourly); the first is at start. */
  intervalMs?: number;
  worker: Pick<StreamWorker, 'ingest'>;
  stations: readonly ReferenceStation[] | StationIndex;
  fetch?: typeof fetch;
  now?: () => number;
  log?: FeedLog;
  /** First retry delay after a failure (default 30 s); doubles per failure … */
  retryInitialMs?: number;
  /** … up to this (default 15 min, and never beyond `intervalMs`). */
  retryMaxMs?: number;
  /** One request's time limit (default 60 s). */
  timeoutMs?: number;
  /** ±20 % jitter on retries so many servers do not retry in step; injected for tests. */
  random?: () => number;
}

/** For /metrics. */
export interface ReferenceFeedCounters {
  pollsTotal: number;
  pollFailuresTotal: number;
  /** Readings the worker took as new. */
  readingsStoredTotal: number;
  readingsDuplicateTotal: number;
  recordsRejectedTotal: number;
  consecutiveFailures: number;
  /** Epoch ms of the last successful poll; 0 before the first. */
  lastSuccessMs: number;
}

export interface ReferenceFeed {
  readonly counters: ReferenceFeedCounters;
  /** Resolves once any poll in flight has finished; no poll starts after. */
  stop(): Promise<void>;
}

/** The URL with the key, and the URL as it may be shown (key replaced by `***`). */
export function feedUrls(url: string, apiKey?: string): { request: URL; shown: string } {
  const request = new URL(url);
  if (apiKey !== undefined && apiKey !== '') request.searchParams.set('api_key', apiKey);
  const shown = new URL(request);
  if (shown.searchParams.has('api_key')) shown.searchParams.set('api_key', '***');
  return { request, shown: shown.toString() };
}

/** A MOENV response is ~100 KB; anything far larger is not one, and is not buffered. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Polls a MOENV/AQX hourly endpoint and hands the readings to the worker. Network, HTTP,
 * JSON and store failures are logged (URL with the key redacted) and retried with
 * exponential backoff; none of them is thrown, so the process keeps running.
 * Throws only for a URL that is not one (a configuration error, at start).
 */
export function startReferenceFeed(opts: ReferenceFeedOptions): ReferenceFeed {
  const feed = new FeedPoller(opts);
  feed.start();
  return feed;
}

/** One poll → parse → ingest cycle at a time; the next is scheduled when one ends. */
class FeedPoller implements ReferenceFeed {
  readonly counters: ReferenceFeedCounters = {
    pollsTotal: 0,
    pollFailuresTotal: 0,
    readingsStoredTotal: 0,
    readingsDuplicateTotal: 0,
    recordsRejectedTotal: 0,
    consecutiveFailures: 0,
    lastSuccessMs: 0,
  };
  private readonly cfg;
  private readonly worker: ReferenceFeedOptions['worker'];
  private readonly index: StationIndex;
  private readonly request: URL;
  private readonly shown: string;
  private readonly secret: string;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(opts: ReferenceFeedOptions) {
    this.cfg = {
      intervalMs: opts.intervalMs ?? 3_600_000,
      retryInitialMs: opts.retryInitialMs ?? 30_000,
      retryMaxMs: opts.retryMaxMs ?? 900_000,
      timeoutMs: opts.timeoutMs ?? 60_000,
      fetch: opts.fetch ?? fetch,
      now: opts.now ?? Date.now,
      log: opts.log ?? (() => {}),
      random: opts.random ?? Math.random,
    };
    this.worker = opts.worker;
    this.index = asIndex(opts.stations);
    ({ request: this.request, shown: this.shown } = feedUrls(opts.url, opts.apiKey));
    this.secret = opts.apiKey ?? '';
  }

  start(): void {
    this.timer = null;
    this.inFlight = this.cycle().finally(() => {
      this.inFlight = null;
    });
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private async cycle(): Promise<void> {
    let nextMs = this.cfg.intervalMs;
    try {
      await this.pollOnce();
    } catch (e) {
      if (this.abort.signal.aborted) return;
      this.counters.pollFailuresTotal++;
      this.counters.consecutiveFailures++;
      nextMs = this.retryDelayMs();
      this.cfg.log('reference-poll-failed', {
        url: this.shown,
        error: this.scrub(describe(e)),
        failures: this.counters.consecutiveFailures,
        retryInMs: nextMs,
      });
    }
    if (!this.abort.signal.aborted) this.timer = setTimeout(() => this.start(), nextMs);
  }

  private async pollOnce(): Promise<void> {
    this.counters.pollsTotal++;
    const json = await this.fetchJson();
    const parsed = parseMoenvHourly(json, this.index, this.shown);
    const outcome = await this.worker.ingest(parsed.readings, this.cfg.now());
    const stored = outcome.status === 'stored' ? outcome.readings : 0;
    const duplicates = outcome.status === 'stored' ? outcome.duplicates : 0;
    const c = this.counters;
    c.readingsStoredTotal += stored;
    c.readingsDuplicateTotal += duplicates;
    c.recordsRejectedTotal += parsed.problems.length;
    c.consecutiveFailures = 0;
    c.lastSuccessMs = this.cfg.now();
    this.cfg.log('reference-poll', {
      url: this.shown,
      records: parsed.readings.length + parsed.problems.length,
      new: stored,
      duplicate: duplicates,
      rejected: parsed.problems.length,
      problems: parsed.problems.slice(0, 5).map((p: RecordProblem) => this.scrub(p.message)),
    });
  }

  private async fetchJson(): Promise<unknown> {
    const timeout = AbortSignal.timeout(this.cfg.timeoutMs);
    const signal = AbortSignal.any([this.abort.signal, timeout]);
    const res = await this.cfg.fetch(this.request, {
      signal,
      headers: { accept: 'application/json' },
    });
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) {
      await res.body?.cancel();
      throw new Error(`the response is ${length} bytes; the limit is ${MAX_BODY_BYTES}`);
    }
    const body = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}: ${body.slice(0, 200)}`);
    try {
      return JSON.parse(body) as unknown;
    } catch (e) {
      throw new Error(`the response is not JSON: ${(e as Error).message}`);
    }
  }

  /** Doubling from retryInitialMs, capped, with ±20 % jitter. */
  private retryDelayMs(): number {
    const failures = Math.min(this.counters.consecutiveFailures - 1, 20);
    const base = this.cfg.retryInitialMs * 2 ** failures;
    const capped = Math.min(base, this.cfg.retryMaxMs, this.cfg.intervalMs);
    return Math.round(capped * (0.8 + 0.4 * this.cfg.random()));
  }

  /** A message may quote the URL or the body (MOENV echoes the key in `__extras.api_key`). */
  private scrub(text: string): string {
    return this.secret === '' ? text : text.replaceAll(this.secret, '***');
  }
}

/** `fetch failed` says little; its cause (ECONNREFUSED, a DNS error) says what happened. */
function describe(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}
