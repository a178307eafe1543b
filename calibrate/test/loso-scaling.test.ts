import { describe, expect, it } from 'vitest';
import {
  kohlerLinear,
  leaveOneSiteOut,
  linear,
  MAX_FOLDS,
  selectAndFit,
  type Method,
  type Pair,
} from '../src/index.ts';
import { conditions, withReference } from './synthetic.ts';

/** `method`, counting the fits asked of it and the pairs each was given. */
function counted(method: Method) {
  const fits: { pairs: number; sites: Set<string> }[] = [];
  const wrapped: Method = {
    ...method,
    fit(pairs) {
      fits.push({ pairs: pairs.length, sites: new Set(pairs.map((p) => p.site)) });
      return method.fit(pairs);
    },
  };
  return { method: wrapped, fits };
}

/** `n` co-located boxes, `days` pairs each, the reference 0.6 · raw − 0.02 · RH + 2. */
function fleet(n: number, days = 12): Pair[] {
  const sites = Array.from({ length: n }, (_, i) => `box-${String(i).padStart(4, '0')}`);
  return withReference(conditions(sites, days), (r) => 0.6 * r.rawPm25UgM3 - 0.02 * r.rhPct + 2);
}

describe('leave-one-site-out on a large fleet: the work grows with the pairs, not their square', () => {
  it('fits at most MAX_FOLDS models, each without the sites it scores', () => {
    const pairs = fleet(300);
    const { method, fits } = counted(linear);
    const result = leaveOneSiteOut(method, pairs);
    expect(fits.length).toBe(MAX_FOLDS);
    expect(result.groups).toBe(MAX_FOLDS);
    // Every box still gets its own out-of-site score, from a model that never saw it.
    expect(result.folds).toHaveLength(300);
    expect(result.pooled.n).toBe(pairs.length);
    const seenBy = (site: string) => fits.filter((f) => f.sites.has(site)).length;
    for (const f of result.folds) expect(seenBy(f.site)).toBe(MAX_FOLDS - 1);
    // Folds of about equal size: no training set is starved.
    const held = fits.map((f) => pairs.length - f.pairs);
    expect(Math.max(...held) - Math.min(...held)).toBeLessThanOrEqual(12);
  });

  it('pairs fitted: 4 times the fleet costs 4 times the work (one fold per site: 16 times)', () => {
    const work = (n: number) => {
      const { method, fits } = counted(linear);
      leaveOneSiteOut(method, fleet(n));
      return fits.reduce((s, f) => s + f.pairs, 0);
    };
    const ratio = work(400) / work(100);
    expect(ratio).toBeGreaterThan(3.9);
    expect(ratio).toBeLessThan(4.1);
  });

  it('up to MAX_FOLDS sites it is exactly one fold per site, as before', () => {
    const { method, fits } = counted(linear);
    const result = leaveOneSiteOut(method, fleet(MAX_FOLDS));
    expect(fits.length).toBe(MAX_FOLDS);
    for (const f of fits) expect(f.sites.size).toBe(MAX_FOLDS - 1);
    expect(result.folds.map((f) => f.site)).toEqual(fleet(MAX_FOLDS, 1).map((p) => p.site));
  });

  it('the whole selection on 500 boxes still picks by out-of-site error', () => {
    const pairs = fleet(500);
    const l = counted(linear);
    const selection = selectAndFit(pairs, [l.method, kohlerLinear]);
    // The held-out folds, plus the final fit on all pairs if linear is the one picked.
    expect(l.fits.length).toBe(MAX_FOLDS + (selection.method.id === linear.id ? 1 : 0));
    expect(selection.metrics.validation).toBe('leave-one-site-out');
    expect(selection.metrics.validated?.n).toBe(pairs.length);
  });

  it('κ-Köhler: the folds sharing one grid give what fitting each fold alone gives', () => {
    const pairs = withReference(conditions(['a', 'b', 'c', 'd', 'e'], 20), (r) => {
      const aw = r.rhPct / 100;
      return (0.6 * r.rawPm25UgM3) / (1 + (0.35 * aw) / (1 - aw)) + 1 + (r.temperatureC % 3) / 10;
    });
    const excluded = [new Set(['a', 'b']), new Set(['c']), new Set(['d', 'e'])];
    const shared = kohlerLinear.fitFolds?.(pairs, excluded) ?? [];
    expect(shared).toHaveLength(3);
    for (const [k, out] of excluded.entries()) {
      const alone = kohlerLinear.fit(pairs.filter((p) => !out.has(p.site))).params;
      const got = shared[k];
      if (got === undefined || !('params' in got)) throw new Error(`fold ${k}: ${String(got)}`);
      for (const name of ['kappa', 'slope', 'interceptUgM3']) {
        expect(got.params[name]).toBeCloseTo(alone[name] ?? NaN, 9);
      }
    }
  });
});
