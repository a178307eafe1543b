/**
 * `airbox bench refit`: the daily calibration refit on a large fleet, as `airbox calibrate
 * fit` runs it (the same `refit` serve's worker thread runs) in a process of its own on a
 * filled store — its duration and peak RSS. Every box is within 1 km of a reference
 * station (lag/history.ts), so every box is co-located: the worst case for the refit, which
 * fits a model per box, per county and one global, each scored by leave-one-site-out.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillHistory } from './lag/history.ts';
import { sampleProcess } from './proc.ts';

export interface RefitSizes {
  boxes: number;
  days: number;
  /** The refit's window (serve refits the last 7 days daily). */
  windowDays: number;
  /**
   * Minutes between a box's readings. The refit reads the hourly roll-up only, so its work
   * is the same for a reading an hour as for one a minute (the completeness rule scaled to
   * match); the fill is 60 times shorter.
   */
  intervalMin: number;
}

/** The size: 2,000 boxes × 30 days, refitted over all 30. */
export const FULL_REFIT_SIZES: RefitSizes = {
  boxes: 2000,
  days: 30,
  windowDays: 30,
  intervalMin: 60,
};

export interface RefitBenchResult {
  bench: 'refit';
  sizes: RefitSizes;
  history: { rows: number; stations: number; fillS: number };
  refit: {
    exit: number;
    seconds: number;
    /** User + system CPU of the refit process: the measure a loaded machine disturbs least. */
    cpuSeconds: number;
    /** The refit process's own maxRSS (getrusage), as `calibrate fit` reports it. */
    peakRssMb: number;
    /** The most /proc saw (VmHWM sampled every 250 ms), a cross-check of the above. */
    sampledPeakRssMb: number;
    pairs: number;
    boxes: number;
    models: number;
    skipped: number;
    said: string;
  };
  node: string;
}

export interface RefitBenchOptions {
  airbox: string[];
  sizes?: Partial<RefitSizes>;
  progress: (message: string) => void;
}

const SUMMARY =
  /calibrate fit: (\d+) pairs from (\d+) co-located boxes; (\d+) models stored and activated, (\d+) scopes skipped.*; ([\d.]+) s \(CPU ([\d.]+) s\), peak RSS (\d+) MB/;

async function runFit(airbox: string[], dataDir: string, s: RefitSizes) {
  const [file, ...args] = airbox;
  const readingsPerHour = Math.round(60 / s.intervalMin);
  const child = spawn(
    file!,
    [...args, 'calibrate', 'fit', '--data-dir', dataDir, '--window-days', String(s.windowDays)]
      // Hours are complete at 75 % of the readings the boxes send, as in production.
      .concat(['--readings-per-hour', String(readingsPerHour)]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  let sampledPeak = 0;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, sampleProcess(child.pid!).peakRssBytes);
    } catch {
      // The process has just exited: its last sample stands.
    }
  }, 250);
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  const exit = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? -1)));
  clearInterval(sampler);
  return { exit, stderr: err, sampledPeakRssMb: Math.round(sampledPeak / 2 ** 20) };
}

export async function runRefitBench(o: RefitBenchOptions): Promise<RefitBenchResult> {
  const sizes = { ...FULL_REFIT_SIZES, ...o.sizes };
  const dir = mkdtempSync(join(tmpdir(), 'airbox-refit-'));
  try {
    o.progress(
      `filling ${sizes.boxes} boxes × ${sizes.days} days, a reading every ${sizes.intervalMin} min…`,
    );
    const nowMs = Date.now();
    const h = await fillHistory(
      dir,
      { ...sizes, nowMs, intervalMs: sizes.intervalMin * 60_000 },
      o.progress,
    );
    o.progress(`history: ${h.rows} readings in ${h.fillS.toFixed(0)} s; refitting…`);
    const fit = await runFit(o.airbox, dir, sizes);
    const m = SUMMARY.exec(fit.stderr);
    const n = (i: number) => Number(m?.[i] ?? NaN);
    return {
      bench: 'refit',
      sizes,
      history: { rows: h.rows, stations: h.stations, fillS: Math.round(h.fillS) },
      refit: {
        exit: fit.exit,
        seconds: n(5),
        cpuSeconds: n(6),
        peakRssMb: n(7),
        sampledPeakRssMb: fit.sampledPeakRssMb,
        pairs: n(1),
        boxes: n(2),
        models: n(3),
        skipped: n(4),
        said: fit.stderr.trim().split('\n').at(-1) ?? '',
      },
      node: process.version,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
