import type { Reading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import {
  CalibrationError,
  epaBarkjohn2021,
  epaBarkjohn2022,
  growthFactor,
  huberLinear,
  kohlerLinear,
  linear,
  METHODS,
  multilinear,
  type Method,
  type Pair,
} from '../src/index.ts';
import { conditions, pairsFrom, withReference } from './synthetic.ts';

function reading(pm25UgM3: number | null, humidityPct: number | null): Reading {
  return {
    deviceId: 'box-1',
    time: '2026-03-01T00:00:00Z',
    lat: null,
    lon: null,
    pm1UgM3: null,
    pm25UgM3,
    pm10UgM3: null,
    temperatureC: 25,
    humidityPct,
    format: 'native-v1',
    app: null,
    firmware: null,
    flags: [],
    kind: 'box',
  };
}

describe('EPA corrections (published constants, no fit)', () => {
  // Hand-computed: 0.524 · raw − 0.0862 · RH + 5.75, negative results reported as 0.
  const nationwide: [raw: number, rh: number | null, expected: number | null][] = [
    [10, 50, 6.68],
    [100, 30, 55.564],
    [0, 90, 0], // −2.008 µg/m³ is not physical
    [10, null, null], // no RH, no correction
  ];
  it.each(nationwide)('epa-barkjohn-2021@1: raw %d, RH %s → %s', (raw, rh, expected) => {
    const profile = epaBarkjohn2021.fit([]);
    const got = profile.predict({ rawPm25UgM3: raw, rhPct: rh, temperatureC: null });
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 10);
  });

  // Barkjohn et al. 2022: nationwide below 570, blend to the quadratic up to 611, quadratic above.
  const extended: [raw: number, rh: number | null, expected: number | null][] = [
    [100, 50, 53.84],
    [570, 50, 0.008 * 363.6629 + 0.992 * 300.12],
    [700, null, 484.13], // the quadratic needs no RH
    [570, null, null],
  ];
  it.each(extended)('epa-barkjohn-2022@1: raw %d, RH %s → %s', (raw, rh, expected) => {
    const got = epaBarkjohn2022.fit([]).predict({ rawPm25UgM3: raw, rhPct: rh, temperatureC: 20 });
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 6);
  });

  it('applies as the worker’s CalibrationModel: id beside the value, null without PM', () => {
    const model = epaBarkjohn2021.fit([]);
    expect(model.id).toBe('epa-barkjohn-2021@1');
    expect(model.apply(reading(10, 50))).toBeCloseTo(6.68, 10);
    expect(model.apply(reading(null, 50))).toBeNull();
    expect(model.apply(reading(10, null))).toBeNull();
  });
});

describe('fitted models recover the parameters their data was made with', () => {
  it('linear@1: ref = 0.6 · raw + 2 exactly → slope 0.6, intercept 2', () => {
    const pairs = pairsFrom([1, 4, 9, 16, 25].map((raw) => [raw, 0.6 * raw + 2]));
    const { params, id } = linear.fit(pairs);
    expect(id).toBe('linear@1');
    expect(params.slope).toBeCloseTo(0.6, 12);
    expect(params.interceptUgM3).toBeCloseTo(2, 12);
  });

  it('multilinear@1: ref = 0.5 · raw − 0.05 · RH + 0.1 · T + 3 exactly', () => {
    const pairs = withReference(
      conditions(['A'], 12),
      (r) => 0.5 * r.rawPm25UgM3 - 0.05 * r.rhPct + 0.1 * r.temperatureC + 3,
    );
    const { params } = multilinear.fit(pairs);
    expect(params.rawCoefficient).toBeCloseTo(0.5, 10);
    expect(params.rhCoefficient).toBeCloseTo(-0.05, 10);
    expect(params.temperatureCoefficient).toBeCloseTo(0.1, 10);
    expect(params.interceptUgM3).toBeCloseTo(3, 9);
  });

  it('kohler-linear@1: recovers κ = 0.35 from data made with it', () => {
    const pairs = withReference(
      conditions(['A', 'B'], 20),
      (r) => (0.7 * r.rawPm25UgM3) / growthFactor(0.35, r.rhPct) + 1.5,
    );
    const { params } = kohlerLinear.fit(pairs);
    expect(params.kappa).toBeCloseTo(0.35, 5);
    expect(params.slope).toBeCloseTo(0.7, 5);
    expect(params.interceptUgM3).toBeCloseTo(1.5, 5);
  });

  it('kohler-linear@1 caps RH at 99 %: growth at 100 % equals growth at 99 %', () => {
    expect(growthFactor(0.3, 100)).toBe(growthFactor(0.3, 99));
    expect(growthFactor(0.3, 99)).toBeCloseTo(1 + 0.3 * 99, 10);
  });

  it('huber-linear@1 ignores a gross reference outlier that pulls OLS off', () => {
    const rows = Array.from({ length: 20 }, (_, i) => {
      const raw = 2 * (i + 1);
      return [raw, 0.6 * raw + 2 + (i === 17 ? 150 : 0)] as const;
    });
    const pairs = pairsFrom(rows);
    const ols = linear.fit(pairs).params;
    const robust = huberLinear.fit(pairs).params;
    expect(Math.abs((ols.slope ?? 0) - 0.6)).toBeGreaterThan(0.1);
    expect(robust.slope).toBeCloseTo(0.6, 6);
    expect(robust.interceptUgM3).toBeCloseTo(2, 6);
  });
});

describe('degenerate input is refused with a coded error, never a NaN model', () => {
  const exact = (n: number) => pairsFrom(Array.from({ length: n }, (_, i) => [i + 1, i + 2]));
  const flatRaw = pairsFrom([5, 5, 5, 5, 5].map((raw, i) => [raw, i + 1]));
  const flatRh = pairsFrom([1, 2, 3, 4, 5, 6].map((raw) => [raw, raw, 50, 20]));
  const withNaN = pairsFrom([
    [1, 2],
    [2, 3],
    [NaN, 4],
    [4, 5],
    [5, 6],
  ]);
  const noRh = pairsFrom(Array.from({ length: 10 }, (_, i) => [i + 1, i + 2]));
  // Temperature = 2 · RH + 1: the multilinear design is collinear.
  const collinear = pairsFrom(
    Array.from({ length: 10 }, (_, i) => [i * i + 1, i + 2, 30 + 3 * i, 2 * (30 + 3 * i) + 1]),
  );
  const cases: [Method, string, Pair[], string, RegExp][] = [
    [linear, '3 pairs for 2 parameters', exact(3), 'too-few-points', /3 usable pairs.*at least 4/],
    [huberLinear, 'raw never varies', flatRaw, 'zero-variance', /raw_pm25 is 5 in all 5/],
    [linear, 'a NaN raw', withNaN, 'non-finite-input', /raw_pm25 of pair 3 is NaN/],
    [multilinear, 'no pair has RH', noRh, 'too-few-points', /0 usable pairs/],
    [multilinear, 'T = 2 · RH + 1', collinear, 'singular-design', /collinear/],
    [kohlerLinear, 'RH never varies', flatRh, 'zero-variance', /rh is 50/],
  ];
  it.each(cases)('%s: %s → %s', (method, _why, pairs, code, message) => {
    let error: unknown;
    try {
      method.fit(pairs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CalibrationError);
    expect((error as CalibrationError).code).toBe(code);
    expect((error as CalibrationError).message).toMatch(message);
  });

  it('every method has a unique versioned id', () => {
    const ids = METHODS.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+@\d+$/);
  });
});
