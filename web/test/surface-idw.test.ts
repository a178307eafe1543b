import { describe, expect, it } from 'vitest';
import { computeSurface, SurfaceError, type Surface, type SurfacePoint } from '../src/index.ts';
import { seededRandom } from '../src/surface/random.ts';

const BBOX = [121.0, 23.0, 121.5, 23.5] as const;

/** Centre (lat, lon) of cell (col, row) as web/README.md documents it. */
function cellCentre(s: Surface, col: number, row: number): { lat: number; lon: number } {
  const [west, south, east, north] = s.bbox;
  return {
    lon: west + ((col + 0.5) * (east - west)) / s.width,
    lat: north - ((row + 0.5) * (north - south)) / s.height,
  };
}

/** Distance in metres, equirectangular (what the surface uses; fine at this scale). */
function distanceM(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const kx = 111_195 * Math.cos((((a.lat + b.lat) / 2) * Math.PI) / 180);
  return Math.hypot((a.lon - b.lon) * kx, (a.lat - b.lat) * 111_195);
}

function randomPoints(n: number, seed: number, keep: (lat: number, lon: number) => boolean) {
  const random = seededRandom(seed);
  const points: SurfacePoint[] = [];
  while (points.length < n) {
    const lat = BBOX[1] + random() * (BBOX[3] - BBOX[1]);
    const lon = BBOX[0] + random() * (BBOX[2] - BBOX[0]);
    if (keep(lat, lon)) points.push({ lat, lon, value: 10 + 40 * random() });
  }
  return points;
}

describe('IDW surface', () => {
  it('gives a box its own value in the cell it stands in, and stays within the inputs', () => {
    const grid = { bbox: BBOX, width: 60, height: 60 };
    const probe = computeSurface(
      randomPoints(5, 1, () => true),
      grid,
    );
    // Boxes exactly at cell centres, so "its own cell" is unambiguous.
    const random = seededRandom(2);
    const cells = Array.from(
      { length: 40 },
      () => [Math.floor(random() * 60), Math.floor(random() * 60)] as const,
    );
    const unique = [...new Map(cells.map(([c, r]) => [`${c},${r}`, [c, r] as const])).values()];
    const points = unique.map(([c, r], i) => ({
      ...cellCentre(probe, c, r),
      value: 5 + ((i * 37) % 90),
    }));
    const s = computeSurface(points, grid);

    for (const [i, [c, r]] of unique.entries()) {
      expect(s.values[r * s.width + c]).toBeCloseTo(points[i]?.value ?? NaN, 3);
    }
    const lo = Math.min(...points.map((p) => p.value));
    const hi = Math.max(...points.map((p) => p.value));
    const painted = s.values.filter((v) => !Number.isNaN(v));
    expect(painted.length).toBe(s.cellsPainted);
    expect(painted.length).toBeGreaterThan(s.width * s.height * 0.5);
    for (const v of painted) {
      expect(v).toBeGreaterThanOrEqual(lo - 1e-4);
      expect(v).toBeLessThanOrEqual(hi + 1e-4);
    }
    expect(s.sigma).toBeNull();
    expect(s.params).toMatchObject({
      method: 'idw',
      power: 2,
      neighbours: 12,
      pointsUsed: unique.length,
    });
  });

  it('masks cells farther than maskDistanceM from every box (a box-free quadrant) and paints the rest', () => {
    // No box in the north-east quadrant.
    const points = randomPoints(300, 3, (lat, lon) => !(lat > 23.25 && lon > 121.25));
    const s = computeSurface(points, { bbox: BBOX, width: 80, height: 80, maskDistanceM: 3000 });
    let masked = 0;
    for (let row = 0; row < s.height; row++) {
      for (let col = 0; col < s.width; col++) {
        const centre = cellCentre(s, col, row);
        const nearestM = Math.min(...points.map((p) => distanceM(centre, p)));
        const v = s.values[row * s.width + col] ?? NaN;
        // 1 % slack for the projection's scale error across the box.
        if (nearestM > 3030) expect(v, `cell ${col},${row} is ${nearestM} m from a box`).toBeNaN();
        if (nearestM < 2970)
          expect(v, `cell ${col},${row} is ${nearestM} m from a box`).not.toBeNaN();
        if (Number.isNaN(v)) masked++;
      }
    }
    // The quadrant is 27 × 25 km: most of it is beyond 3 km of the boxes around it.
    expect(masked).toBeGreaterThan(0.1 * s.width * s.height);
  });

  it('equals brute-force IDW over the 12 nearest boxes in every cell (the tile shortcut is exact)', () => {
    // Clustered like a city plus scattered boxes, so tiles split to different sizes.
    const random = seededRandom(8);
    const points: SurfacePoint[] = Array.from({ length: 400 }, (_, i) => {
      const [lat, lon] =
        i % 3 === 0
          ? [23 + random() * 0.5, 121 + random() * 0.5]
          : [23.2 + random() * 0.02, 121.2 + random() * 0.02];
      return { lat, lon, value: 5 + 60 * random() };
    });
    const grid = { bbox: BBOX, width: 64, height: 64, maskDistanceM: 4000, searchRadiusM: 15_000 };
    const s = computeSurface(points, { ...grid, mergeDistanceM: 0.001 });
    expect(s.params.pointsMerged).toBe(0);
    // The surface's own projection: equirectangular at the boxes' mean latitude.
    const lat0 = points.reduce((a, p) => a + p.lat, 0) / points.length;
    const kx = Math.cos((lat0 * Math.PI) / 180);
    const metres = (a: { lat: number; lon: number }, b: { lat: number; lon: number }) =>
      111_195.08 * Math.hypot((a.lon - b.lon) * kx, a.lat - b.lat);
    for (let row = 0; row < s.height; row++) {
      for (let col = 0; col < s.width; col++) {
        const centre = cellCentre(s, col, row);
        const near = points
          .map((p) => ({ d: metres(centre, p), v: p.value }))
          .filter((n) => n.d <= 15_000)
          .sort((a, b) => a.d - b.d)
          .slice(0, 12);
        const want =
          near.length === 0 || (near[0]?.d ?? Infinity) > 4000
            ? NaN
            : near.reduce((a, n) => a + n.v / n.d ** 2, 0) /
              near.reduce((a, n) => a + 1 / n.d ** 2, 0);
        const got = s.values[row * s.width + col] ?? NaN;
        if (Number.isNaN(want)) expect(got, `cell ${col},${row}`).toBeNaN();
        else expect(got, `cell ${col},${row}`).toBeCloseTo(want, 3);
      }
    }
  });

  it('publishes its leave-one-out error with the surface', () => {
    const s = computeSurface(
      randomPoints(400, 4, () => true),
      { bbox: BBOX, width: 32, height: 32 },
    );
    expect(s.looN).toBeGreaterThan(350);
    // Values are uniform on 10…50 with no spatial structure: the error is about their spread.
    expect(s.looRmse).toBeGreaterThan(8);
    expect(s.looRmse).toBeLessThan(20);
    expect(s.looMae).toBeLessThanOrEqual(s.looRmse);
    expect(s.computedMs).toBeGreaterThanOrEqual(0);
  });

  it('picks a default grid around the boxes, padded by the mask distance, with square cells', () => {
    const points = randomPoints(50, 5, () => true);
    const s = computeSurface(points);
    const [west, south, east, north] = s.bbox;
    expect(west).toBeLessThan(Math.min(...points.map((p) => p.lon)));
    expect(north).toBeGreaterThan(Math.max(...points.map((p) => p.lat)));
    expect(Math.max(s.width, s.height)).toBe(512);
    const cellWM =
      distanceM({ lat: (north + south) / 2, lon: west }, { lat: (north + south) / 2, lon: east }) /
      s.width;
    const cellHM = distanceM({ lat: south, lon: west }, { lat: north, lon: west }) / s.height;
    expect(cellWM / cellHM).toBeCloseTo(1, 1);
  });
});

describe('surface input guards', () => {
  const five = randomPoints(5, 6, () => true);

  it('refuses fewer than 5 distinct places, counting duplicates once', () => {
    expect(() => computeSurface(five.slice(0, 4))).toThrow(/4 distinct location\(s\).*at least 5/);
    const stacked = [...five.slice(0, 4), ...five.slice(0, 4)];
    const err = (() => {
      try {
        computeSurface(stacked, { method: 'kriging' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SurfaceError);
    expect(err).toMatchObject({ code: 'too-few-points' });
  });

  it('merges boxes at the same place into their mean', () => {
    const twice = [...five, ...five.map((p) => ({ ...p, value: p.value + 10 }))];
    const s = computeSurface(twice, { bbox: BBOX, width: 40, height: 40 });
    expect(s.params).toMatchObject({ pointsUsed: 5, pointsMerged: 5 });
    const hi = Math.max(...five.map((p) => p.value)) + 5;
    expect(Math.max(...s.values.filter((v) => !Number.isNaN(v)))).toBeLessThanOrEqual(hi + 1e-4);
  });

  it('names the bad point, option or grid', () => {
    const bad = five.map((p, i) => (i === 3 ? { ...p, value: NaN } : p));
    expect(() => computeSurface(bad)).toThrow(/points\[3\]: value NaN is not a finite PM2.5/);
    expect(() => computeSurface(five.map((p, i) => (i === 2 ? { ...p, lat: 95 } : p)))).toThrow(
      /points\[2\]: lat 95/,
    );
    expect(() => computeSurface(five, { width: 0 })).toThrow(/surface options: width/);
    expect(() => computeSurface(five, { method: 'spline' as 'idw' })).toThrow(/method/);
    expect(() => computeSurface(five, { bbox: [121.5, 23, 121, 23.5] })).toThrow(
      /bbox .* is empty/,
    );
  });
});
