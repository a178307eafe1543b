import { MEASURES, measureRecord, type StoredReading } from '@airbox/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, get as httpGet } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { openSqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry } from '@airbox/web';

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

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const BATCH_ROWS = 20_000;

const deviceName = (i: number) => `bench-${String(i).padStart(5, '0')}`;

/** One device's minute readings [from, from + count), with plausible varying values. */
function readings(device: number, from: number, count: number): StoredReading[] {
  const out: StoredReading[] = [];
  for (let m = from; m < from + count; m++) {
    const time = new Date(T0 + m * MINUTE_MS).toISOString();
    const pm25 = 5 + ((m * 7 + device * 13) % 60);
    out.push({
      deviceId: deviceName(device),
      time,
      receivedAt: time,
      lat: 22 + (device % 300) / 100,
      lon: 120 + (device % 200) / 100,
      // A measure the bench does not model is null.
      ...measureRecord(MEASURES, () => null),
      pm1UgM3: pm25 * 0.7,
      pm25UgM3: pm25,
      pm10UgM3: pm25 * 1.3,
      temperatureC: 18 + (m % 15),
      humidityPct: 50 + (m % 45),
      format: 'native-v1',
      app: 'AirBox',
      firmware: '1.0.0',
      flags: [],
      kind: 'box',
      pm25CalibratedUgM3: pm25 * 0.8,
      calibrationModel: 'bench',
    });
  }
  return out;
}

type Store = ReturnType<typeof openSqliteStore>;

/**
 * Fills device by device: each batch extends one device's key range, which SQLite appends
 * to its b-tree (the port has no bulk path; write() is one transaction per call).
 */
async function fill(store: Store, rows: number, perDevice: number, log: (l: string) => void) {
  const started = performance.now();
  let written = 0;
  let lastLogMs = 0;
  for (let device = 0; written < rows; device++) {
    const deviceRows = Math.min(perDevice, rows - written);
    for (let from = 0; from < deviceRows; from += BATCH_ROWS) {
      written += (
        await store.write(readings(device, from, Math.min(BATCH_ROWS, deviceRows - from)))
      ).written;
    }
    const now = performance.now();
    if (now - lastLogMs > 5_000 || written >= rows) {
      lastLogMs = now;
      const perS = Math.round(written / ((now - started) / 1000));
      log(
        `bench api: stored ${written.toLocaleString('en-US')} / ${rows.toLocaleString('en-US')} readings (${perS.toLocaleString('en-US')}/s)`,
      );
    }
  }
  const seconds = (performance.now() - started) / 1000;
  return { reused: false, seconds: round(seconds), rowsPerS: Math.round(rows / seconds) };
}

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
  const rows = options.rows ?? 20_000_000;
  const perDevice = options.rowsPerDevice ?? 14 * 1440;
  const requests = options.requests ?? 1_000;
  const warmup = options.warmup ?? 50;
  const log = options.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!(Number.isInteger(rows) && rows >= 1440)) {
    throw new Error(
      `bench api: rows ${rows} must be an integer of at least 1440 (one day of one box)`,
    );
  }
  const tempDir =
    options.path === undefined ? mkdtempSync(join(tmpdir(), 'airbox-bench-api-')) : null;
  const path = options.path === undefined ? join(tempDir ?? '', 'bench.db') : resolve(options.path);
  const store = openSqliteStore({ path });
  try {
    const stored = await store.countReadings();
    const fillResult =
      stored >= rows
        ? { reused: true, seconds: 0, rowsPerS: 0 }
        : await fill(store, rows, perDevice, log);
    const devices = Math.ceil(rows / perDevice);
    const days = Math.max(1, Math.floor(Math.min(rows, perDevice) / 1440));
    const app = createApi({ store, metrics: new MetricsRegistry(), rateLimit: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      log(
        `bench api: timing ${requests} + ${warmup} warm-up requests per format over ${devices} boxes`,
      );
      // Whole days of the devices that are full; the last device may hold fewer.
      const fullDevices = Math.max(1, Math.floor(rows / perDevice));
      const loadBefore = loadavg()[0] ?? 0;
      const json = await measure(base, agent, queries(fullDevices, days, 'json'), warmup, requests);
      const csv = await measure(base, agent, queries(fullDevices, days, 'csv'), warmup, requests);
      return {
        bench: 'api',
        rows: Math.max(rows, stored),
        devices,
        rowsPerResponse: json.rows,
        fill: fillResult,
        json: json.stats,
        csv: csv.stats,
        targetP50Ms: API_TARGET_P50_MS,
        targetMet: json.stats.p50Ms < API_TARGET_P50_MS,
        loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0] ?? 0, 2) },
        path: tempDir === null ? path : '(temporary, removed)',
        cpu: cpus()[0]?.model ?? 'unknown',
        node: process.version,
      };
    } finally {
      agent.destroy();
      await app.close();
    }
  } finally {
    await store.close();
    if (tempDir !== null) rmSync(tempDir, { recursive: true, force: true });
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

// `tsx web/bench/api-bench.ts --rows 1000000 [--requests N] [--path FILE] [--json]`
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
