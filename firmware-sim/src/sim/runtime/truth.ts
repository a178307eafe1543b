/**
 * The truth export: what was really in the air at each box when it reported, so calibration
 * and interpolation error can be measured against it. CSV, one row per report, time in UTC
 * as the box's report time on the true clock (a box with a wrong clock still has its
 * truth at the real moment).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TruthSample } from '../model/index.ts';
import type { SimBox } from './source.ts';

export const TRUTH_COLUMNS = [
  'deviceId',
  'time',
  'indoor',
  'pm25UgM3',
  'pm10UgM3',
  'temperatureC',
  'humidityPct',
] as const;

/** Rows are written in blocks of this many: a bounded buffer however long the run. */
const FLUSH_ROWS = 4096;

export class TruthWriter {
  readonly path: string;
  rows = 0;
  readonly #fd: number;
  #pending: string[] = [];

  /** `append` continues a file an earlier run of the same world wrote (header already there). */
  constructor(path: string, options: { append?: boolean } = {}) {
    this.path = path;
    this.#fd = openSync(path, options.append ? 'a' : 'w');
    if (!options.append) writeSync(this.#fd, TRUTH_COLUMNS.join(',') + '\n');
  }

  write(box: SimBox, timeMs: number, truth: TruthSample | null): void {
    if (truth === null) return;
    const r = (v: number) => Math.round(v * 100) / 100;
    this.#pending.push(
      [
        box.deviceId,
        new Date(timeMs).toISOString(),
        box.indoor ? 1 : 0,
        r(truth.pm25UgM3),
        r(truth.pm10UgM3),
        r(truth.temperatureC),
        r(truth.humidityPct),
      ].join(','),
    );
    this.rows++;
    if (this.#pending.length >= FLUSH_ROWS) this.#flush();
  }

  close(): Promise<void> {
    this.#flush();
    closeSync(this.#fd);
    return Promise.resolve();
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    writeSync(this.#fd, this.#pending.join('\n') + '\n');
    this.#pending = [];
  }
}
