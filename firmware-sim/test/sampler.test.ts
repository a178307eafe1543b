import { waitFor } from '@airbox/testkit';
import { describe, expect, it } from 'vitest';
import {
  ManualClock,
  Sampler,
  trimmedMean,
  type PmSample,
  type SamplerReport,
} from '../src/index.ts';

describe('trimmedMean: drop one min and one max, then average', () => {
  it.each([
    ['five PMS5003 PM2.5 values with one spike', [12, 13, 11, 12, 85], 12.33],
    ['a spike down and up', [0, 30, 31, 29, 250], 30],
    ['all equal', [7, 7, 7, 7, 7], 7],
    ['three values: the middle one', [3, 1, 2], 2],
    ['ties at both ends drop one each', [1, 1, 5, 5], 3],
    ['two values: plain mean', [5, 8], 6.5],
    ['one value', [42], 42],
    ['nulls (failed reads) are ignored', [null, 10, 20, 30, null], 20],
    ['no values', [], null],
    ['only nulls', [null, null], null],
    ['rounded to 0.01 µg/m³, as LASS carries', [10, 10, 11, 0, 99], 10.33],
    ['temperatures below zero', [-3.5, -2, -2.5, 40, -60], -2.67],
  ] as const)('%s', (_, values, expected) => {
    expect(trimmedMean(values)).toBe(expected);
  });
});

const pm = (pm25UgM3: number): PmSample => ({ pm1UgM3: null, pm25UgM3, pm10UgM3: null });

/** A sampler on a manual clock with a queue of PM2.5 values; `step` fires the next sample. */
function harness(values: (number | Error)[], intervalS = 60, samplesPerReport = 5) {
  const clock = new ManualClock(Date.UTC(2026, 10, 27, 8, 0, 0));
  const reports: SamplerReport[] = [];
  const errors: unknown[] = [];
  const sampleTimesMs: number[] = [];
  const sampler = new Sampler({
    clock,
    intervalS,
    samplesPerReport,
    pm: () => {
      sampleTimesMs.push(clock.nowMs());
      const v = values.shift() ?? 0;
      if (v instanceof Error) throw v;
      return pm(v);
    },
    climate: () => ({ temperatureC: 25, humidityPct: 60 }),
    onReport: (r) => {
      reports.push(r);
    },
    onError: (e) => errors.push(e),
  });
  const advance = async (ms: number) => {
    await waitFor('the sampler to arm its timer', () => clock.pendingTimers > 0, 2000, 1);
    clock.advanceMs(ms);
  };
  return { clock, sampler, reports, errors, sampleTimesMs, advance };
}

describe('Sampler on an injected clock', () => {
  it('spreads the samples over the interval and reports at its end', async () => {
    const h = harness([12, 13, 11, 12, 85]);
    const t0 = h.clock.nowMs();
    h.sampler.start();
    for (let i = 0; i < 5; i++) await h.advance(12_000);
    await waitFor('a report', () => h.reports.length === 1);
    await h.sampler.stop();
    expect(h.sampleTimesMs.map((t) => t - t0)).toEqual([12_000, 24_000, 36_000, 48_000, 60_000]);
    expect(h.reports[0]).toEqual({
      timeMs: t0 + 60_000,
      pm1UgM3: null,
      pm25UgM3: 12.33,
      pm10UgM3: null,
      temperatureC: 25,
      humidityPct: 60,
      pmSamples: 5,
      climateSamples: 5,
    });
  });

  it('leaves a failed read out and reports from the samples that worked', async () => {
    const h = harness([10, new Error('PMS_READ_TIMEOUT'), 20, 30, 40], 10);
    h.sampler.start();
    for (let i = 0; i < 5; i++) await h.advance(2000);
    await waitFor('a report', () => h.reports.length === 1);
    await h.sampler.stop();
    expect(h.reports[0]).toMatchObject({ pm25UgM3: 25, pmSamples: 4 });
    expect(h.errors).toHaveLength(1);
  });

  it('makes no reading when every sample failed, and says so', async () => {
    const h = harness(
      Array.from({ length: 3 }, () => new Error('unplugged')),
      3,
      3,
    );
    h.sampler.start();
    for (let i = 0; i < 3; i++) await h.advance(1000);
    await waitFor('the error', () => h.errors.length === 4);
    await h.sampler.stop();
    expect(h.reports).toHaveLength(0);
    expect(h.errors.at(-1)).toMatchObject({ code: 'DEVICE_NO_SAMPLES' });
  });

  it('takes a new interval from the next report on', async () => {
    const h = harness([], 60, 2);
    const t0 = h.clock.nowMs();
    h.sampler.start();
    await h.advance(30_000);
    h.sampler.setSampling(120, 4); // mid-cycle: this report keeps its 60 s
    await h.advance(30_000);
    for (let i = 0; i < 4; i++) await h.advance(30_000);
    await waitFor('two reports', () => h.reports.length === 2);
    await h.sampler.stop();
    expect(h.reports.map((r) => r.timeMs - t0)).toEqual([60_000, 180_000]);
    expect(h.reports[1]?.pmSamples).toBe(4);
  });
});
