/**
 * The sampling loop: `samplesPerReport` samples spread evenly over each report interval,
 * reduced to one report by a trimmed mean. Sources are plain functions, so a real PMS
 * driver, a T/RH sensor or the fleet simulator's virtual sensors plug in alike. All waits
 * run on the injected clock.
 */
import type { Clock } from '../clock.ts';
import { DeviceError } from './errors.ts';

export interface PmSample {
  pm1UgM3: number | null;
  pm25UgM3: number | null;
  pm10UgM3: number | null;
}

export interface ClimateSample {
  temperatureC: number | null;
  humidityPct: number | null;
}

/** Returns one sample; throws (or rejects) when the sensor could not be read. */
export type SampleSource<T> = () => T | Promise<T>;

export interface SamplerReport extends PmSample, ClimateSample {
  /** End of the interval the samples cover, epoch ms on the sampler's clock. */
  timeMs: number;
  /** Samples that went into the PM values; fewer than asked when reads failed. */
  pmSamples: number;
  climateSamples: number;
}

export interface SamplerOptions {
  clock: Clock;
  pm: SampleSource<PmSample>;
  climate?: SampleSource<ClimateSample>;
  /** Report interval; default 60 s, the AirBox/LASS reporting period. */
  intervalS?: number;
  samplesPerReport?: number;
  /** The next cycle starts once this settles, so slow storage backs up the loop. */
  onReport: (report: SamplerReport) => void | Promise<void>;
  onError?: (error: unknown) => void;
}

/**
 * Mean after dropping one minimum and one maximum (with three or more values), rounded to
 * 0.01 — the precision LASS ver_format 3 carries, so both wire formats send the same
 * number. With one or two values it is their plain mean; nulls are ignored.
 */
export function trimmedMean(values: readonly (number | null)[]): number | null {
  const sorted = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (sorted.length === 0) return null;
  sorted.sort((a, b) => a - b);
  const kept = sorted.length >= 3 ? sorted.slice(1, -1) : sorted;
  const mean = kept.reduce((sum, v) => sum + v, 0) / kept.length;
  return Math.round(mean * 100) / 100;
}

export class Sampler {
  readonly #clock: Clock;
  readonly #pm: SampleSource<PmSample>;
  readonly #climate: SampleSource<ClimateSample> | undefined;
  readonly #onReport: SamplerOptions['onReport'];
  readonly #onError: (error: unknown) => void;
  #intervalS: number;
  #samplesPerReport: number;
  #running = false;
  #loop: Promise<void> = Promise.resolve();
  #cancelWait: (() => void) | null = null;

  constructor(options: SamplerOptions) {
    this.#clock = options.clock;
    this.#pm = options.pm;
    this.#climate = options.climate;
    this.#onReport = options.onReport;
    this.#onError = options.onError ?? (() => undefined);
    this.#intervalS = options.intervalS ?? 60;
    this.#samplesPerReport = options.samplesPerReport ?? 5;
  }

  get intervalS(): number {
    return this.#intervalS;
  }

  get samplesPerReport(): number {
    return this.#samplesPerReport;
  }

  /** Takes effect at the next report cycle (the current one finishes as planned). */
  setSampling(intervalS: number, samplesPerReport: number = this.#samplesPerReport): void {
    this.#intervalS = intervalS;
    this.#samplesPerReport = samplesPerReport;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops after the current sample; a report in progress is finished first. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelWait?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let cycleStartMs = this.#clock.nowMs();
    while (this.#running) {
      const endMs = await this.#cycle(cycleStartMs);
      // Keep a regular grid of report times unless the loop fell behind.
      cycleStartMs = Math.max(endMs, this.#clock.nowMs());
    }
  }

  /** One report interval; returns its planned end. */
  async #cycle(startMs: number): Promise<number> {
    const intervalMs = this.#intervalS * 1000;
    const n = this.#samplesPerReport;
    const pm: PmSample[] = [];
    const climate: ClimateSample[] = [];
    for (let i = 1; i <= n; i++) {
      await this.#waitUntil(startMs + (intervalMs * i) / n);
      if (!this.#running) return startMs + intervalMs;
      const [p, c] = await Promise.all([this.#read(this.#pm), this.#read(this.#climate)]);
      if (p !== null) pm.push(p);
      if (c !== null) climate.push(c);
    }
    await this.#report(startMs + intervalMs, pm, climate);
    return startMs + intervalMs;
  }

  async #report(timeMs: number, pm: PmSample[], climate: ClimateSample[]): Promise<void> {
    if (pm.length === 0) {
      const what = `no PM sample of ${this.#samplesPerReport} succeeded`;
      this.#onError(new DeviceError('DEVICE_NO_SAMPLES', `${what}; no reading for this interval`));
      return;
    }
    const report: SamplerReport = {
      timeMs,
      pm1UgM3: trimmedMean(pm.map((s) => s.pm1UgM3)),
      pm25UgM3: trimmedMean(pm.map((s) => s.pm25UgM3)),
      pm10UgM3: trimmedMean(pm.map((s) => s.pm10UgM3)),
      temperatureC: trimmedMean(climate.map((s) => s.temperatureC)),
      humidityPct: trimmedMean(climate.map((s) => s.humidityPct)),
      pmSamples: pm.length,
      climateSamples: climate.length,
    };
    try {
      await this.#onReport(report);
    } catch (e) {
      this.#onError(e);
    }
  }

  async #read<T>(source: SampleSource<T> | undefined): Promise<T | null> {
    if (source === undefined) return null;
    try {
      return await source();
    } catch (e) {
      this.#onError(e);
      return null;
    }
  }

  #waitUntil(dueMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.#clock.setTimer(() => {
        this.#cancelWait = null;
        resolve();
      }, dueMs - this.#clock.nowMs());
      this.#cancelWait = () => {
        cancel();
        this.#cancelWait = null;
        resolve();
      };
    });
  }
}
