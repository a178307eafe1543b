import { join } from 'node:path';
import { tempDir } from '@airbox/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CalibrationError,
  linear,
  METHODS,
  openModelRegistry,
  parsePairs,
  type ModelRegistry,
  type NewModel,
  type Pair,
} from '../src/index.ts';
import { conditions, withReference } from './synthetic.ts';

const pairs: Pair[] = withReference(
  conditions(['box-A', 'box-B'], 20),
  (r, i) => 0.6 * r.rawPm25UgM3 - 0.05 * r.rhPct + 0.1 * r.temperatureC + 2 + (i % 3) * 0.4,
);
const DAY_MS = 86_400_000;
const T_MS = Date.UTC(2026, 2, 8);

function model(overrides: Partial<NewModel> = {}): NewModel {
  return {
    method: 'linear@1',
    scope: 'device',
    scopeKey: 'box-A',
    params: { slope: 0.6, interceptUgM3: 1.5 },
    trainedFromMs: T_MS - 7 * DAY_MS,
    trainedToMs: T_MS,
    sites: ['box-A'],
    metrics: null,
    ...overrides,
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(CalibrationError);
    return (e as CalibrationError).code;
  }
  throw new Error('expected a CalibrationError');
}

describe('ModelRegistry', () => {
  let dir: ReturnType<typeof tempDir>;
  let registry: ModelRegistry;
  beforeEach(() => {
    dir = tempDir('registry');
    registry = openModelRegistry({ dataDir: dir.path, now: () => T_MS });
  });
  afterEach(() => {
    registry.close();
    dir.remove();
  });

  it('lives in <dataDir>/calibration.sqlite', () => {
    expect(registry.path).toBe(join(dir.path, 'calibration.sqlite'));
  });

  it.each(METHODS.map((m) => [m.id, m] as const))(
    '%s: the profile rebuilt from stored params predicts exactly what the fit did',
    (_id, method) => {
      const fitted = method.fit(pairs);
      const stored = registry.add(model({ method: method.id, params: fitted.params }));
      registry.close();
      registry = openModelRegistry({ dataDir: dir.path });
      const rebuilt = registry.profile(stored.id);
      expect(rebuilt.params).toEqual(fitted.params);
      for (const p of pairs) expect(rebuilt.predict(p)).toBe(fitted.predict(p));
    },
  );

  it('gives readable ids numbered per scope, and keeps one active model per scope', () => {
    const a1 = registry.add(model());
    const a2 = registry.add(model({ method: 'multilinear@1', params: multilinearParams() }));
    const region = registry.add(model({ scope: 'region', scopeKey: '新北市' }));
    const global = registry.add(model({ scope: 'global', scopeKey: '' }));
    expect([a1.id, a2.id, region.id, global.id]).toEqual([
      'linear@1/device/box-A/1',
      'multilinear@1/device/box-A/2',
      'linear@1/region/新北市/1',
      'linear@1/global/1',
    ]);
    const before = registry.version();
    registry.activate(a1.id);
    registry.activate(region.id);
    registry.activate(a2.id);
    expect(registry.version()).toBe(before + 3);
    // Newest first: the region model was stored after a2.
    expect(registry.active().map((m) => m.id)).toEqual([region.id, a2.id]);
    expect(registry.get(a1.id)?.active).toBe(false);
    expect(registry.list({ scope: 'device' }).map((m) => m.id)).toEqual([a2.id, a1.id]);
  });

  it('stores the training window, sites, metrics and reason with the model', () => {
    const metrics = {
      validation: 'holdout-last-third' as const,
      validated: null,
      training: null,
    };
    const stored = registry.add(model({ metrics, reason: 'lowest RMSE' }));
    expect(stored).toMatchObject({
      method: 'linear@1',
      scope: 'device',
      scopeKey: 'box-A',
      seq: 1,
      trainedFrom: '2026-03-01T00:00:00.000Z',
      trainedTo: '2026-03-08T00:00:00.000Z',
      sites: ['box-A'],
      metrics,
      reason: 'lowest RMSE',
      createdAt: '2026-03-08T00:00:00.000Z',
      active: false,
    });
  });

  it('refuses NaN or missing params, unknown methods and unknown ids', () => {
    expect(codeOf(() => registry.add(model({ params: { slope: NaN, interceptUgM3: 1 } })))).toBe(
      'bad-params',
    );
    expect(codeOf(() => linear.fromParams({ slope: 1 }))).toBe('bad-params');
    expect(codeOf(() => registry.add(model({ method: 'magic@9' })))).toBe('unknown-method');
    expect(codeOf(() => registry.activate('linear@1/device/nobody/1'))).toBe('unknown-model');
    expect(registry.list()).toEqual([]);
  });

  it('exports stored pairs as a generic CSV that the pair reader reads back', () => {
    const hourly = pairs.map((p, i) => ({
      ...p,
      time: new Date(T_MS + i * 3_600_000).toISOString(),
      station: 'EPA-Banqiao',
    }));
    registry.addPairs(hourly);
    registry.addPairs([{ ...hourly[0]!, refPm25UgM3: 99 }]); // a late recomputation wins
    const file = parsePairs(registry.exportPairs(), 'export.csv');
    expect(file.format).toBe('generic');
    expect(file.pairs).toHaveLength(hourly.length);
    const byKey = (p: Pair) => `${p.site} ${p.time}`;
    const expected = [{ ...hourly[0]!, refPm25UgM3: 99 }, ...hourly.slice(1)]
      .map((p): Pair => ({
        site: p.site,
        time: p.time,
        rawPm25UgM3: p.rawPm25UgM3,
        rhPct: p.rhPct,
        temperatureC: p.temperatureC,
        refPm25UgM3: p.refPm25UgM3,
      }))
      .sort((a, b) => byKey(a).localeCompare(byKey(b)));
    expect([...file.pairs].sort((a, b) => byKey(a).localeCompare(byKey(b)))).toEqual(expected);
    expect(registry.exportPairs({ sites: ['box-B'] }).split('\n')[1]).toMatch(/^box-B,/);
  });
});

function multilinearParams() {
  return {
    rawCoefficient: 0.5,
    rhCoefficient: -0.05,
    temperatureCoefficient: 0.1,
    interceptUgM3: 2,
  };
}
