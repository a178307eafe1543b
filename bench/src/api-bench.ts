import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry } from '@airbox/web';
import { deviceName, fill, T0, type Store } from './api-fill.ts';

/** What `airbox bench api` promises: a 24 h series of one box, 20 M rows stored. */
export const API_TARGET_P50_MS = 10;

export interface ApiBenchOptions {
  /** Readings to store (default 20,000,000). */
  rows?: number;
  /** Readings per device, 1 a minute (default 20,160: 14 days, so 20 M rows = 992 boxes). */
  rowsPerDevice?: number;
  /** Timed requests per format, after `warmup` untimed ones (default 1,000 and 50). */
  requests?: number;
  warmup?: number;
  /** SQLite file to fill; reused without refilling when it already holds `rows` readings. */
  path?: string;
  /** Progress lines (default: stderr). */
  progress?: (line: string) => void;
}

export interface LatencyStats {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** CPU time (server + client, this process) per request: steadier than wall time on a busy machine. */
  cpuMsPerRequest: number;
}

export interface ApiBenchResult {
  bench: 'api';
  rows: number;
  devices: number;
  rowsPerResponse: number;
  fill: { reused: boolean; seconds: number; rowsPerS: number };
  json: LatencyStats;
  csv: LatencyStats;
  targetP50Ms: number;
  targetMet: boolean;
  /**
   * 1-minute load average when timing started and ended: on a shared 2-core machine other
   * work inflates the times, so a result is only comparable with one at a similar load.
   */
  loadAverage: { before: number; after: number };
  path: string;
  cpu: string;
  node: string;
}

const DAY_MS = 86_400_000;

function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function latencyStats(samplesMs: number[], cpuMs: number): LatencyStats {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const mean = sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length);
  return {
    requests: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(mean),
    maxMs: round(sorted.at(-1) ?? 0),
    cpuMsPerRequest: round(cpuMs / Math.max(1, sorted.length)),
  };
}

/** One GET over the kept-alive socket; resolves with the status and body once all of it came. */
function fetchText(agent: Agent, url: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    httpGet(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
      res.on('error', fail);
    }).on('error', fail);
  });
}

/** A deterministic spread of (device, day) pairs, so every run asks the same questions. */
function* queries(devices: number, days: number, format: 'json' | 'csv') {
  let seed = 12345;
  for (;;) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const device = seed % devices;
    const day = Math.floor(seed / devices) % days;
    const from = new Date(T0 + day * DAY_MS).toISOString();
    const to = new Date(T0 + (day + 1) * DAY_MS).toISOString();
    yield `/api/v1/series?device=${deviceName(device)}&from=${from}&to=${to}&format=${format}`;
  }
}

async function measure(
  base: string,
  agent: Agent,
  paths: Generator<string>,
  warmup: number,
  requests: number,
): Promise<{ stats: LatencyStats; rows: number }> {
  const samples: number[] = [];
  let rows = 0;
  let cpu = process.cpuUsage();
  for (let i = 0; i < warmup + requests; i++) {
    if (i === warmup) cpu = process.cpuUsage();
    const url = `${base}${paths.next().value ?? ''}`;
    const started = performance.now();
    const { status, body } = await fetchText(agent, url);
    const elapsed = performance.now() - started;
    if (status !== 200)
      throw new Error(`bench api: ${url} answered ${status}: ${body.slice(0, 200)}`);
    if (i === 0)
      rows = body.startsWith('{')
        ? (JSON.parse(body) as { readings: unknown[] }).readings.length
        : body.split('\r\n').length - 2;
    if (i >= warmup) samples.push(elapsed);
  }
  const used = process.cpuUsage(cpu);
  return { stats: latencyStats(samples, (used.user + used.system) / 1000), rows };
}

/**
 * Fills a SQLite store with `rows` minute readings, serves the API on 127.0.0.1 and times
 * sequential `GET /api/v1/series` for one box over 24 h (JSON, then CSV) through a real
 * kept-alive socket. Client and server share this process, so times include the client.
 */
export async function runApiBench(options: ApiBenchOptions = {}): Promise<ApiBenchResult> {
  const s = apiSettings(options);
  const tempDir =
    options.path === undefined ? mkdtempSync(join(tmpdir(), 'airbox-bench-api-')) : null;
  const path = options.path === undefined ? join(tempDir ?? '', 'bench.db') : resolve(options.path);
  const store = openSqliteStore({ path });
  try {
    const stored = await store.countReadings();
    const fillResult = await fillUnlessStored(store, stored, s);
    const timed = await timeSeries(store, s);
    return {
      bench: 'api',
      rows: Math.max(s.rows, stored),
      devices: Math.ceil(s.rows / s.perDevice),
      rowsPerResponse: timed.json.rows,
      fill: fillResult,
      json: timed.json.stats,
      csv: timed.csv.stats,
      targetP50Ms: API_TARGET_P50_MS,
      targetMet: timed.json.stats.p50Ms < API_TARGET_P50_MS,
      loadAverage: timed.loadAverage,
      path: tempDir === null ? path : '(temporary, removed)',
      cpu: cpus()[0]?.model ?? 'unknown',
      node: process.version,
    };
  } finally {
    await store.close();
    if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
  }
}

/** The options with their defaults. */
interface ApiSettings {
  rows: number;
  perDevice: number;
  requests: number;
  warmup: number;
  log: (line: string) => void;
}

function apiSettings(options: ApiBenchOptions): ApiSettings {
  const rows = options.rows ?? 20_000_000;
  if (!(Number.isInteger(rows) && rows >= 1440)) {
    throw new Error(
      `bench api: rows ${rows} must be an integer of at least 1440 (one day of one box)`,
    );
  }
  return {
    rows,
    perDevice: options.rowsPerDevice ?? 14 * 1440,
    requests: options.requests ?? 1_000,
    warmup: options.warmup ?? 50,
    log: options.progress ?? ((line: string) => process.stderr.write(`${line}\n`)),
  };
}

/** Fills the store unless it already holds `rows` readings (a --path file is reused). */
async function fillUnlessStored(store: Store, stored: number, s: ApiSettings) {
  if (stored >= s.rows) return { reused: true, seconds: 0, rowsPerS: 0 };
  const seconds = await fill(store, s.rows, s.perDevice, s.log);
  return { reused: false, seconds: round(seconds), rowsPerS: Math.round(s.rows / seconds) };
}

/** Serves the API and times the series requests, JSON then CSV, over one kept-alive socket. */
async function timeSeries(store: Store, s: ApiSettings) {
  const devices = Math.ceil(s.rows / s.perDevice);
  const days = Math.max(1, Math.floor(Math.min(s.rows, s.perDevice) / 1440));
  const app = createApi({ store, metrics: new MetricsRegistry(), rateLimit: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    s.log(
      `bench api: timing ${s.requests} + ${s.warmup} warm-up requests per format over ${devices} boxes`,
    );
    // Whole days of the devices that are full; the last device may hold fewer.
    const fullDevices = Math.max(1, Math.floor(s.rows / s.perDevice));
    const loadBefore = loadavg()[0] ?? 0;
    const { warmup, requests } = s;
    const json = await measure(base, agent, queries(fullDevices, days, 'json'), warmup, requests);
    const csv = await measure(base, agent, queries(fullDevices, days, 'csv'), warmup, requests);
    const loadAverage = { before: round(loadBefore, 2), after: round(loadavg()[0] ?? 0, 2) };
    return { json, csv, loadAverage };
  } finally {
    agent.destroy();
    await app.close();
  }
}

/** The result for people. */
export function describeApiBench(r: ApiBenchResult): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const line = (name: string, s: LatencyStats) =>
    `  ${name}: p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, mean ${s.meanMs} ms, max ${s.maxMs} ms over ${fmt(s.requests)} requests; CPU ${s.cpuMsPerRequest} ms a request`;
  return [
    `bench api: GET /api/v1/series, one box, 24 h (${fmt(r.rowsPerResponse)} rows), ${fmt(r.rows)} readings stored (${fmt(r.devices)} boxes, SQLite)`,
    r.fill.reused
      ? `  store reused: ${r.path}`
      : `  filled in ${r.fill.seconds} s (${fmt(r.fill.rowsPerS)} readings/s)`,
    line('json', r.json),
    line('csv ', r.csv),
    `  target p50 < ${r.targetP50Ms} ms (json): ${r.targetMet ? 'met' : 'NOT met'}  (${r.cpu}, Node ${r.node}; client in the same process)`,
    `  load average (1 min) ${r.loadAverage.before} before, ${r.loadAverage.after} after timing (${cpus().length} cores)`,
  ].join('\n');
}

// `tsx bench/src/api-bench.ts --rows 1000000 [--requests N] [--path FILE] [--json]`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      requests: { type: 'string' },
      path: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const result = await runApiBench({
    rows: values.rows === undefined ? undefined : Number(values.rows),
    requests: values.requests === undefined ? undefined : Number(values.requests),
    path: values.path,
  });
  process.stdout.write(
    values.json ? `${JSON.stringify(result)}\n` : `${describeApiBench(result)}\n`,
  );
}
