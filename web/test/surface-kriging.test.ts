import { describe, expect, it } from 'vitest';
import { syntheticField, type FieldSpec } from '../src/surface/synthetic.ts';
import {
  computeSurface,
  leaveOneOut,
  type KrigingParams,
  type Surface,
  type SurfacePoint,
} from '../src/index.ts';
import { krigeGrid } from '../src/surface/kriging-grid.ts';
import { projectionAt } from '../src/surface/projection.ts';
import { seededRandom } from '../src/surface/random.ts';
import { buildIndex } from '../src/surface/spatial-index.ts';

/** n boxes spread uniformly over ~100 × 100 km of Taiwan, reading `spec`'s field plus noise. */
function fieldPoints(n: number, spec: FieldSpec): SurfacePoint[] {
  const field = syntheticField(spec);
  const random = seededRandom(spec.seed + 100);
  return Array.from({ length: n }, () => {
    const lat = 23 + random() * 0.9;
    const lon = 120.5 + random() * 1.0;
    const noise = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return { lat, lon, value: field(lat, lon) + spec.noiseUgM3 * noise };
  });
}

const kriging = (s: Surface) => s.params as KrigingParams;

function cellCentre(s: Surface, col: number, row: number): { lat: number; lon: number } {
  const [west, south, east, north] = s.bbox;
  return {
    lon: west + ((col + 0.5) * (east - west)) / s.width,
    lat: north - ((row + 0.5) * (north - south)) / s.height,
  };
}

function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const kx = 111_195 * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  return Math.hypot((a.lon - b.lon) * kx, (a.lat - b.lat) * 111_195);
}

describe('ordinary kriging surface', () => {
  it('recovers the variogram of a field with a known one (exponential, nugget 9, sill 109, range 20 km)', () => {
    const spec: FieldSpec = {
      meanUgM3: 30,
      sigmaUgM3: 10,
      covariance: 'exponential',
      rangeM: 20_000,
      noiseUgM3: 3,
      seed: 1,
    };
    const s = computeSurface(fieldPoints(2000, spec), {
      method: 'kriging',
      width: 48,
      height: 48,
      maxLagM: 40_000,
      variogramBins: 20,
    });
    const v = kriging(s).variogram;
    expect(v.rangeM).toBeGreaterThan(12_000);
    expect(v.rangeM).toBeLessThan(32_000);
    expect(v.nugget + v.psill).toBeGreaterThan(109 * 0.7);
    expect(v.nugget + v.psill).toBeLessThan(109 * 1.3);
    expect(v.nugget).toBeLessThan(25);
    expect(kriging(s).variogramNote).toBeNull();
  });

  it('beats IDW in leave-one-out on a smooth field', () => {
    const spec: FieldSpec = {
      meanUgM3: 30,
      sigmaUgM3: 10,
      covariance: 'gaussian',
      rangeM: 30_000,
      noiseUgM3: 0.5,
      seed: 2,
    };
    const points = fieldPoints(600, spec);
    const idw = leaveOneOut(points, 'idw');
    const ok = leaveOneOut(points, 'kriging');
    expect(ok.n).toBe(idw.n);
    expect(ok.rmse).toBeLessThan(0.8 * idw.rmse);
    expect(ok.mae).toBeLessThan(idw.mae);
  });

  it('reports a sigma that grows with the distance from the boxes', () => {
    // Boxes only in the western half; the eastern half is 0–50 km away from them.
    const spec: FieldSpec = {
      meanUgM3: 30,
      sigmaUgM3: 10,
      covariance: 'exponential',
      rangeM: 30_000,
      noiseUgM3: 2,
      seed: 3,
    };
    const points = fieldPoints(800, spec).filter((p) => p.lon < 121.0);
    const s = computeSurface(points, {
      method: 'kriging',
      bbox: [120.5, 23.0, 121.5, 23.9],
      width: 40,
      height: 36,
      maskDistanceM: 200_000,
      maxSigmaFraction: 100,
    });
    const bands = [
      { fromM: 0, toM: 2000, sum: 0, n: 0 },
      { fromM: 3000, toM: 6000, sum: 0, n: 0 },
      { fromM: 8000, toM: 12_000, sum: 0, n: 0 },
      { fromM: 25_000, toM: Infinity, sum: 0, n: 0 },
    ];
    for (let row = 0; row < s.height; row++) {
      for (let col = 0; col < s.width; col++) {
        const centre = cellCentre(s, col, row);
        const nearestM = Math.min(...points.map((p) => distanceM(centre, p)));
        const band = bands.find((b) => nearestM >= b.fromM && nearestM < b.toM);
        const sigma = s.sigma?.[row * s.width + col] ?? NaN;
        expect(sigma).not.toBeNaN();
        if (band) [band.sum, band.n] = [band.sum + sigma, band.n + 1];
      }
    }
    const means = bands.map((b) => b.sum / b.n);
    expect(bands.every((b) => b.n > 5)).toBe(true);
    // It rises over the variogram's range (~13 km here) and then levels off.
    for (let i = 1; i < 3; i++) expect(means[i]).toBeGreaterThan(means[i - 1] ?? Infinity);
    expect(means[3]).toBeGreaterThan(means[1] ?? Infinity);
    // Far from every box σ nears √psill (what is left is the field itself); near them it is small.
    const v = kriging(s).variogram;
    expect(means[3]).toBeGreaterThan(0.9 * Math.sqrt(v.psill));
    expect(means[0]).toBeLessThan(0.5 * Math.sqrt(v.nugget + v.psill));
  });

  it('masks cells far from the boxes, and cells too uncertain, in both values and sigma', () => {
    const spec: FieldSpec = {
      meanUgM3: 30,
      sigmaUgM3: 10,
      covariance: 'exponential',
      rangeM: 20_000,
      noiseUgM3: 2,
      seed: 4,
    };
    // No box in the north-east quadrant (lat > 23.45, lon > 121).
    const points = fieldPoints(900, spec).filter((p) => !(p.lat > 23.45 && p.lon > 121.0));
    const grid = {
      method: 'kriging' as const,
      bbox: [120.5, 23.0, 121.5, 23.9] as const,
      width: 40,
      height: 36,
    };
    const s = computeSurface(points, { ...grid, maskDistanceM: 5000 });
    const sigma = s.sigma ?? new Float32Array();
    // The quadrant's far corner is > 20 km from any box.
    expect(s.values[0 * s.width + 39]).toBeNaN();
    expect(s.values[3 * s.width + 36]).toBeNaN();
    // Its south-west, inside the network, is painted.
    expect(s.values[30 * s.width + 5]).not.toBeNaN();
    for (let i = 0; i < s.values.length; i++) {
      expect(Number.isNaN(s.values[i])).toBe(Number.isNaN(sigma[i]));
    }
    // A strict σ rule masks more than the distance rule alone.
    const strict = computeSurface(points, { ...grid, maskDistanceM: 5000, maxSigmaFraction: 0.2 });
    expect(strict.cellsPainted).toBeLessThan(s.cellsPainted);
    expect(kriging(strict).singularTilesIdw).toBe(0);
  });

  it('paints a constant field as that constant with zero sigma, saying so', () => {
    const random = seededRandom(7);
    const points = Array.from({ length: 30 }, () => ({
      lat: 23 + random() * 0.3,
      lon: 120.5 + random() * 0.3,
      value: 17,
    }));
    const s = computeSurface(points, { method: 'kriging', width: 30, height: 30 });
    expect(kriging(s).variogramNote).toMatch(/^constant-field/);
    const painted = s.values.filter((v) => !Number.isNaN(v));
    expect(painted.length).toBeGreaterThan(0);
    expect(new Set(painted)).toEqual(new Set([17]));
    expect(s.sigma?.filter((v) => !Number.isNaN(v)).every((v) => v === 0)).toBe(true);
    expect(s.looRmse).toBe(0);
  });

  it('merges co-located boxes instead of failing on a singular matrix', () => {
    const spec: FieldSpec = {
      meanUgM3: 30,
      sigmaUgM3: 10,
      covariance: 'exponential',
      rangeM: 20_000,
      noiseUgM3: 2,
      seed: 5,
    };
    const once = fieldPoints(200, spec);
    const twice = [...once, ...once.map((p) => ({ ...p, value: p.value + 1 }))];
    const s = computeSurface(twice, { method: 'kriging', width: 32, height: 32 });
    expect(kriging(s)).toMatchObject({ pointsUsed: 200, pointsMerged: 200, singularTilesIdw: 0 });
    expect(s.cellsPainted).toBeGreaterThan(0);
    expect(Number.isFinite(s.looRmse)).toBe(true);
  });
});

describe('kriging fallbacks', () => {
  it('paints a tile whose matrix is singular by IDW, and counts it', () => {
    // Two boxes at one spot with no nugget: C has two equal rows. computeSurface merges such
    // boxes first; krigeGrid on its own must still cope.
    const xM = Float64Array.from([0, 0, 1000, -1000, 0, 500]);
    const yM = Float64Array.from([0, 0, 0, 0, 1000, -700]);
    const pts = {
      projection: projectionAt(121, 23.5),
      xM,
      yM,
      value: Float64Array.from([10, 12, 20, 30, 40, 25]),
      count: 6,
      merged: 0,
    };
    const grid = {
      bbox: [120.98, 23.48, 121.02, 23.52] as const,
      width: 8,
      height: 8,
      x0M: -1750,
      y0M: 1750,
      dxM: 500,
      dyM: 500,
    };
    const model = { model: 'exponential' as const, nugget: 0, psill: 100, rangeM: 10_000 };
    const out = krigeGrid(pts, buildIndex(xM, yM), grid, model, {
      neighbours: 16,
      maskDistanceM: 5000,
      maxSigmaFraction: 10,
      floor: 0,
    });
    expect(out.singularTiles).toBeGreaterThan(0);
    expect(out.painted).toBe(64);
    for (const v of out.values) {
      expect(v).toBeGreaterThanOrEqual(10 - 1e-4);
      expect(v).toBeLessThanOrEqual(40 + 1e-4);
    }
    // No kriging, no kriging standard deviation.
    expect(out.sigma.every(Number.isNaN)).toBe(true);
  });
});
