import { describe, expect, it } from 'vitest';
import { runSurfaceBench } from '../src/surface-bench.ts';
import { computeSurface, surfaceJson, syntheticPoints, taiwanLikeSites } from '@airbox/web';

describe('airbox bench surface (small)', () => {
  it('times both methods and reports their error, the fit and the verdicts', () => {
    let clock = 0;
    const r = runSurfaceBench({ points: 1500, size: 64, runs: 1, now: () => (clock += 5) });
    expect(r).toMatchObject({
      bench: 'surface',
      points: 1500,
      grid: '64×64',
      cells: 4096,
      runs: 1,
    });
    // The injected clock advances 5 ms per reading: one start, one end per surface.
    expect(r.idw.wallMs).toBe(5);
    expect(r.targets).toMatchObject({
      idwMs: 200,
      krigingMs: 1000,
      idwMet: true,
      krigingMet: true,
    });
    expect(r.kriging.fitted.psill).toBeGreaterThan(0);
    expect(r.kriging.looRmse).toBeLessThan(1.2 * r.idw.looRmse);
    expect(r.kriging.cellsPainted).toBeGreaterThan(0);
    expect(r.kriging.cellsPainted).toBeLessThanOrEqual(r.idw.cellsPainted);
  });
});

describe('surfaceJson', () => {
  it('turns masked cells into null and rounds to 0.1 µg/m³', () => {
    const points = syntheticPoints(taiwanLikeSites(300, 2), {
      meanUgM3: 30,
      sigmaUgM3: 8,
      covariance: 'exponential',
      rangeM: 20_000,
      noiseUgM3: 2,
      seed: 2,
    });
    const s = computeSurface(points, { method: 'kriging', width: 40, height: 40 });
    const json = JSON.parse(JSON.stringify(surfaceJson(s))) as ReturnType<typeof surfaceJson>;
    expect(json.values).toHaveLength(1600);
    expect(json.values.filter((v) => v === null)).toHaveLength(1600 - s.cellsPainted);
    const i = s.values.findIndex((v) => !Number.isNaN(v));
    expect(json.values[i]).toBeCloseTo(s.values[i] ?? NaN, 1);
    expect(json.sigma?.[i]).toBeCloseTo(s.sigma?.[i] ?? NaN, 1);
    expect(json.bbox).toEqual([...s.bbox]);
  });
});
