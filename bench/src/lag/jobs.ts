/**
 * The heavy jobs `airbox bench lag` runs one at a time beside a steady ingest, each as a
 * running server meets it: the calibration refit serve starts with (it runs at start), a
 * kriging surface asked for every second (GET /api/v1/surface, as the map does), a CSV
 * export of many rows (GET /api/v1/series?format=csv) and the recalibration of a month
 * (`airbox calibrate recalibrate`, a process of its own on the same store).
 */
import { spawn } from 'node:child_process';
import type { History } from './history.ts';

const DAY_MS = 86_400_000;

export interface LagSizes {
  boxes: number;
  days: number;
  /** Readings a second from the boxes while each job runs. */
  ratePerS: number;
  /** How long the baseline and the surface job are measured. */
  seconds: number;
  /** Grid cells a side of each kriging surface. */
  surfaceSize: number;
  /** Days of every box's minute readings in the export. */
  exportDays: number;
  /** Days of every box's readings the recalibration rewrites. */
  recalibrateDays: number;
  /** Saturating ingest: PUBLISHes each connected box keeps unacknowledged, and for how long. */
  saturateInFlight: number;
  saturateS: number;
  /** Boxes connected and publishing (the first of the history's). */
  connections: number;
}

/**
 * 50 boxes: the history is minute readings (2.2 M rows for 50 × 30 days), and filling it
 * takes minutes on 2 vCPU; the bench is to finish in minutes. The refit at the issue's
 * size (2,000 boxes × 30 days) is measured on its own by `airbox bench refit`.
 */
export const FULL_LAG_SIZES: LagSizes = {
  boxes: 50,
  days: 30,
  ratePerS: 1000,
  seconds: 20,
  surfaceSize: 256,
  exportDays: 7,
  recalibrateDays: 30,
  saturateInFlight: 100,
  saturateS: 15,
  connections: 50,
};

/** What a job runs against. */
export interface JobContext {
  http: number;
  dataDir: string;
  airbox: string[];
  history: History;
  sizes: LagSizes;
  /** Resolves with the first log line of serve with this event (parsed), after now or before. */
  logEvent: (events: readonly string[]) => Promise<Record<string, unknown>>;
}

export interface JobOutcome {
  said: string;
  details: Record<string, number | string>;
}

export interface Job {
  name: 'none' | 'refit' | 'surface' | 'export' | 'recalibrate';
  scale(s: LagSizes, h: History): string;
  run(ctx: JobContext): Promise<JobOutcome>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const noJob: Job = {
  name: 'none',
  scale: (s) => `${s.seconds} s of ingest alone`,
  async run({ sizes }) {
    await sleep(sizes.seconds * 1000);
    return { said: 'nothing else ran', details: {} };
  },
};

export const refitJob: Job = {
  name: 'refit',
  scale: (s, h) =>
    `the refit serve runs at start, over the last 7 days (its window) of ${s.boxes} boxes × ${s.days} days (${h.rows} readings), every box within 1 km of one of ${h.stations} stations`,
  async run({ logEvent }) {
    const line = await logEvent(['calibration-refit', 'calibration-refit-failed']);
    const durationMs = Number(line['durationMs'] ?? NaN);
    const models = Array.isArray(line['models']) ? line['models'].length : 0;
    return {
      said:
        line['event'] === 'calibration-refit'
          ? `refit in ${(durationMs / 1000).toFixed(1)} s: ${models} models`
          : `refit FAILED: ${String(line['error'])}`,
      details: { refitMs: durationMs, models },
    };
  },
};

/** The boxes' bounding box, as west,south,east,north. */
function bboxOf(h: History): string {
  const lats = h.boxes.map((b) => b.lat);
  const lons = h.boxes.map((b) => b.lon);
  const pad = 0.05;
  return [
    Math.min(...lons) - pad,
    Math.min(...lats) - pad,
    Math.max(...lons) + pad,
    Math.max(...lats) + pad,
  ]
    .map((v) => v.toFixed(4))
    .join(',');
}

export const surfaceJob: Job = {
  name: 'surface',
  scale: (s) =>
    `GET /api/v1/surface?method=kriging&size=${s.surfaceSize} every second for ${s.seconds} s`,
  async run({ http, history, sizes }) {
    const url = `http://127.0.0.1:${http}/api/v1/surface?method=kriging&size=${sizes.surfaceSize}&bbox=${bboxOf(history)}`;
    const answers: { status: number; ms: number }[] = [];
    const endMs = Date.now() + sizes.seconds * 1000;
    while (Date.now() < endMs) {
      const t0 = performance.now();
      const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
      await res.arrayBuffer();
      const ms = performance.now() - t0;
      answers.push({ status: res.status, ms });
      await sleep(Math.max(0, 1000 - ms));
    }
    const ok = answers.filter((a) => a.status === 200).length;
    const slowest = Math.round(Math.max(...answers.map((a) => a.ms)));
    return {
      said: `${answers.length} surfaces asked, ${ok} answered 200, slowest ${slowest} ms`,
      details: { surfaces: answers.length, ok, slowestMs: slowest },
    };
  },
};

export const exportJob: Job = {
  name: 'export',
  scale: (s) =>
    `GET /api/v1/series?format=csv of every box's minute readings over ${s.exportDays} days (~${s.boxes * s.exportDays * 1440} rows)`,
  async run({ http, history, sizes }) {
    const from = new Date(history.toMs - sizes.exportDays * DAY_MS).toISOString();
    const to = new Date(history.toMs).toISOString();
    const url = `http://127.0.0.1:${http}/api/v1/series?format=csv&bbox=${bboxOf(history)}&from=${from}&to=${to}`;
    const t0 = performance.now();
    const res = await fetch(url);
    let bytes = 0;
    let lines = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const part = await reader?.read();
      if (part === undefined || part.done) break;
      bytes += part.value.length;
      // indexOf, not a loop in JS: this process shares the two cores with the serve.
      for (let i = part.value.indexOf(10); i !== -1; i = part.value.indexOf(10, i + 1)) lines++;
    }
    const s = (performance.now() - t0) / 1000;
    const rows = Math.max(0, lines - 1);
    return {
      said: `${res.status}: ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s (${Math.round(rows / s)} rows/s)`,
      details: {
        status: res.status,
        rows,
        mb: Math.round(bytes / 1e6),
        seconds: Math.round(s * 10) / 10,
      },
    };
  },
};

export const recalibrateJob: Job = {
  name: 'recalibrate',
  scale: (s) =>
    `airbox calibrate recalibrate --model epa-barkjohn-2021@1 over ${s.recalibrateDays} days of every box (~${s.boxes * s.recalibrateDays * 1440} readings), a process of its own`,
  async run({ airbox, dataDir, history, sizes }) {
    const from = new Date(history.toMs - sizes.recalibrateDays * DAY_MS).toISOString();
    const to = new Date(history.toMs).toISOString();
    const [file, ...args] = airbox;
    const t0 = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(
        file!,
        [
          ...args,
          'calibrate',
          'recalibrate',
          '--data-dir',
          dataDir,
          '--from',
          from,
          '--to',
          to,
        ].concat(['--model', 'epa-barkjohn-2021@1']),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
      child.once('exit', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const s = (performance.now() - t0) / 1000;
    const updated = Number(/"updated":(\d+)/.exec(stdout)?.[1] ?? NaN);
    return {
      said:
        code === 0
          ? `${updated} readings updated in ${s.toFixed(1)} s (${Math.round(updated / s)}/s)`
          : `FAILED (exit ${code}) after ${s.toFixed(1)} s: ${stderr.trim().split('\n').at(-1)}`,
      details: { exit: code ?? -1, updated, seconds: Math.round(s * 10) / 10 },
    };
  },
};

/** In the order they run; the refit first, as serve starts it. */
export const JOBS: readonly Job[] = [refitJob, noJob, surfaceJob, exportJob, recalibrateJob];
