import { describe, expect, it } from 'vitest';
import {
  CalibrationError,
  checkTargets,
  computeMetrics,
  leaveOneSiteOut,
  linear,
  pickMethod,
  type LosoResult,
  type Metrics,
} from '../src/index.ts';
import { pairsFrom } from './synthetic.ts';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (e) {
    if (e instanceof CalibrationError) return e.code;
    throw e;
  }
  return undefined;
}

describe('metrics on hand-computed examples (calibrated y regressed on reference x)', () => {
  it('ref 1,2,3,4 vs calibrated 2,3,5,6', () => {
    // x̄ = 2.5, ȳ = 4, Sxx = 5, Syy = 10, Sxy = 7; errors 1,1,2,2.
    const m = computeMetrics([2, 3, 5, 6], [1, 2, 3, 4]);
    expect(m.n).toBe(4);
    expect(m.slope).toBeCloseTo(7 / 5, 12);
    expect(m.interceptUgM3).toBeCloseTo(4 - 1.4 * 2.5, 12);
    expect(m.r2).toBeCloseTo(49 / 50, 12);
    expect(m.rmseUgM3).toBeCloseTo(Math.sqrt(10 / 4), 12);
    expect(m.maeUgM3).toBeCloseTo(1.5, 12);
    expect(m.nrmsePct).toBeCloseTo((100 * Math.sqrt(2.5)) / 2.5, 10);
    expect(m.meanBiasUgM3).toBeCloseTo(1.5, 12);
  });

  it('a perfect calibration: R² 1, slope 1, intercept 0, RMSE 0', () => {
    const m = computeMetrics([3, 8, 13], [3, 8, 13]);
    expect([m.r2, m.slope, m.interceptUgM3, m.rmseUgM3, m.maeUgM3]).toEqual([1, 1, 0, 0, 0]);
  });

  it('constant predictions explain nothing: R² 0, slope 0', () => {
    const m = computeMetrics([5, 5, 5], [1, 2, 3]);
    expect(m.r2).toBe(0);
    expect(m.slope).toBe(0);
    expect(m.interceptUgM3).toBe(5);
    expect(m.rmseUgM3).toBeCloseTo(Math.sqrt(29 / 3), 12);
  });

  it.each([
    ['two pairs', [1, 2], [1, 2], 'too-few-points'],
    ['a flat reference', [1, 2, 3], [4, 4, 4], 'zero-variance'],
    ['a NaN prediction', [1, NaN, 3], [1, 2, 3], 'non-finite-input'],
  ])('refuses %s (%s)', (_why, predicted, reference, code) => {
    expect(codeOf(() => computeMetrics(predicted, reference))).toBe(code);
  });
});

describe('EPA PM2.5 targets', () => {
  const base: Metrics = {
    n: 100,
    r2: 0.8,
    rmseUgM3: 3,
    maeUgM3: 2,
    nrmsePct: 25,
    slope: 1,
    interceptUgM3: 0,
    meanRefUgM3: 12,
    meanBiasUgM3: 0,
  };
  const cases: [string, Partial<Metrics>, string[]][] = [
    ['all met', {}, []],
    ['slope 0.64', { slope: 0.64 }, ['slope 0.64 outside 0.65–1.35']],
    ['slope 1.35 is still in', { slope: 1.35 }, []],
    ['intercept 5.5', { interceptUgM3: 5.5 }, ['intercept 5.50 µg/m³ outside -5…5']],
    ['R² 0.69', { r2: 0.69 }, ['R² 0.69 < 0.70']],
    ['RMSE 8 but NRMSE 25 %: met (either may hold)', { rmseUgM3: 8 }, []],
    ['NRMSE 40 % but RMSE 6: met', { nrmsePct: 40, rmseUgM3: 6 }, []],
    [
      'RMSE 8 and NRMSE 35 %',
      { rmseUgM3: 8, nrmsePct: 35 },
      ['RMSE 8.00 µg/m³ > 7 and NRMSE 35.00 % > 30 %'],
    ],
  ];
  it.each(cases)('%s', (_name, change, failed) => {
    const check = checkTargets({ ...base, ...change });
    expect(check.failed).toEqual(failed);
    expect(check.met).toBe(failed.length === 0);
  });
});

describe('leave-one-site-out', () => {
  const good = (site: string) =>
    pairsFrom(
      [2, 5, 9, 14, 20].map((raw) => [raw, 0.6 * raw + 2]),
      site,
    );

  it('predicts each site with a model fitted without it', () => {
    // Site C reads 0.3 · raw; the fold for C is fitted on A and B only (0.6 · raw + 2), so
    // C's predictions are 8, 14, 20 against 3, 6, 9: RMSE √((25 + 64 + 121) / 3).
    const c = pairsFrom(
      [
        [10, 3],
        [20, 6],
        [30, 9],
      ],
      'C',
    );
    const result = leaveOneSiteOut(linear, [...good('A'), ...good('B'), ...c]);
    expect(result.folds.map((f) => [f.site, f.n])).toEqual([
      ['A', 5],
      ['B', 5],
      ['C', 3],
    ]);
    expect(result.folds[2]?.metrics?.rmseUgM3).toBeCloseTo(Math.sqrt(70), 10);
    expect(result.pooled.n).toBe(13);
  });

  it('keeps a fold too small for its own metrics in the pooled ones, saying why', () => {
    const tiny = pairsFrom(
      [
        [3, 3.8],
        [6, 5.6],
      ],
      'tiny',
    );
    const result = leaveOneSiteOut(linear, [...good('A'), ...good('B'), ...tiny]);
    const fold = result.folds.find((f) => f.site === 'tiny');
    expect(fold?.metrics).toBeNull();
    expect(fold?.note).toMatch(/2 pairs/);
    expect(result.pooled.n).toBe(12);
    expect(result.pooled.rmseUgM3).toBeCloseTo(0, 10);
  });

  it('needs two sites', () => {
    expect(codeOf(() => leaveOneSiteOut(linear, good('A')))).toBe('too-few-sites');
  });

  it('names the fold whose training set was degenerate', () => {
    const pairs = [...good('A'), ...pairsFrom([[1, 1]], 'B')];
    expect(() => leaveOneSiteOut(linear, pairs)).toThrow(/fold without site A: .*1 usable pairs/);
  });
});

describe('the pick rule', () => {
  const loso = (rmseUgM3: number, change: Partial<Metrics> = {}): LosoResult => ({
    method: 'x',
    folds: [],
    uncalibrated: 0,
    pooled: {
      n: 50,
      r2: 0.8,
      rmseUgM3,
      maeUgM3: rmseUgM3,
      nrmsePct: 20,
      slope: 1,
      interceptUgM3: 0,
      meanRefUgM3: 10,
      meanBiasUgM3: 0,
      ...change,
    },
  });
  const cases: [string, { id: string; loso: LosoResult | null }[], string, boolean][] = [
    [
      'lowest RMSE among those meeting the targets',
      [
        { id: 'epa-barkjohn-2021@1', loso: loso(3) },
        { id: 'linear@1', loso: loso(2.5) },
        { id: 'multilinear@1', loso: loso(2.4) },
      ],
      'multilinear@1',
      false,
    ],
    [
      'a lower RMSE that misses a target does not count',
      [
        { id: 'linear@1', loso: loso(2.5) },
        { id: 'multilinear@1', loso: loso(2.0, { slope: 0.6 }) },
      ],
      'linear@1',
      false,
    ],
    [
      'a tie goes to the earlier (simpler) method',
      [
        { id: 'linear@1', loso: loso(2.5) },
        { id: 'huber-linear@1', loso: loso(2.5) },
      ],
      'linear@1',
      false,
    ],
    [
      'nothing meets the targets: the EPA nationwide correction',
      [
        { id: 'linear@1', loso: loso(2.5, { r2: 0.5 }) },
        { id: 'kohler-linear@1', loso: null },
      ],
      'epa-barkjohn-2021@1',
      true,
    ],
  ];
  it.each(cases)('%s', (_name, candidates, id, fallback) => {
    const pick = pickMethod(candidates);
    expect(pick.id).toBe(id);
    expect(pick.fallback).toBe(fallback);
    expect(pick.reason).toMatch(fallback ? /falling back/ : /lowest pooled leave-one-site-out/);
  });
});
