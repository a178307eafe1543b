import { describe, expect, it } from 'vitest';
import { distanceM, EARTH_MEAN_RADIUS_M, nearestStation } from '../src/distance.ts';

describe('distanceM', () => {
  it('measures 1° of latitude as 111.195 km (πR/180 on the IUGG mean radius)', () => {
    expect(distanceM({ lat: 24, lon: 121 }, { lat: 25, lon: 121 })).toBeCloseTo(
      (Math.PI * EARTH_MEAN_RADIUS_M) / 180,
      6,
    );
  });

  it('is zero from a point to itself, symmetric, and half the circumference to the antipode', () => {
    const taipei = { lat: 25.04, lon: 121.56 };
    const hengchun = { lat: 22.0, lon: 120.74 };
    expect(distanceM(taipei, taipei)).toBe(0);
    expect(distanceM(taipei, hengchun)).toBeCloseTo(distanceM(hengchun, taipei), 6);
    expect(distanceM({ lat: 0, lon: 0 }, { lat: 0, lon: 180 })).toBeCloseTo(
      Math.PI * EARTH_MEAN_RADIUS_M,
      3,
    );
  });
});

describe('nearestStation', () => {
  const stations = [
    { id: 'far', lat: 25.1, lon: 121.5 },
    { id: 'near', lat: 25.01, lon: 121.5 },
    { id: 'also-near', lat: 24.99, lon: 121.5 },
  ];
  const box = { lat: 25, lon: 121.5 };

  it('finds the nearest station and its distance; the first listed of equally near ones', () => {
    const found = nearestStation(box, stations);
    expect(found?.station.id).toBe('near');
    expect(found?.distanceM).toBeCloseTo(distanceM(box, { lat: 25.01, lon: 121.5 }), 6);
  });

  it('finds none beyond maxDistanceM, and none in an empty list', () => {
    expect(nearestStation(box, stations, 1_000)).toBeNull();
    expect(nearestStation(box, stations, 1_200)?.station.id).toBe('near');
    expect(nearestStation(box, [])).toBeNull();
  });
});
