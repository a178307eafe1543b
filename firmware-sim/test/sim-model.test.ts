/**
 * The simulator's world model: the same seed gives the same world whatever the call order,
 * boxes stand where they should, and a bad config is refused naming the field. Sensor
 * statistics: sim-model-sensor.test.ts; the true field and reference: sim-model-field.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidDeviceId } from '@airbox/protocol';
import { sharedData } from '@airbox/testkit';
import {
  createSimWorld,
  isLand,
  SimConfigError,
  TAIWAN_BBOX,
  type SimWorld,
} from '../src/sim/model/index.ts';

const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A fixed pseudo-random sequence for choosing test samples (not the model's randomness). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function distanceM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}

describe('determinism', () => {
  it('gives the same world and the same values for the same seed, in any call order', () => {
    const a = createSimWorld({ seed: 42, boxes: 300, startMs: START });
    const b = createSimWorld({ seed: 42, boxes: 300, startMs: START });
    expect(b.boxes).toEqual(a.boxes);
    const rand = lcg(1);
    // Times over two years, so that the model's internal caches fill and start over.
    const samples = Array.from({ length: 250 }, () => ({
      box: Math.floor(rand() * 300),
      t: START + Math.floor(rand() * 730 * DAY),
    }));
    const run = (w: SimWorld, order: typeof samples) =>
      new Map(
        order.map(({ box, t }) => {
          const spec = w.boxes[box]!;
          return [
            `${box}@${t}`,
            { obs: w.observe(spec, t), truth: w.truthAtBox(spec, t), online: w.online(spec, t) },
          ];
        }),
      );
    const forward = run(a, samples);
    const backward = run(b, [...samples].reverse());
    expect(backward).toEqual(forward);
    const hour = START + 1234 * HOUR;
    expect(b.referenceHour('12', hour)).toEqual(a.referenceHour('12', hour));
  });

  it('gives a different world for a different seed', () => {
    const a = createSimWorld({ seed: 1, boxes: 400, startMs: START });
    const b = createSimWorld({ seed: 2, boxes: 400, startMs: START });
    const moved = a.boxes.filter((box, i) => box.lat !== b.boxes[i]!.lat).length;
    expect(moved).toBeGreaterThan(200); // the station pairs move too, within their 250 m
    const t = START + 40 * DAY;
    const differ = a.boxes.filter(
      (box, i) => a.observe(box, t).pm25Cf1 !== b.observe(b.boxes[i]!, t).pm25Cf1,
    );
    expect(differ.length).toBeGreaterThan(390);
    expect(a.truth(24.15, 120.67, t).pm25UgM3).not.toBe(b.truth(24.15, 120.67, t).pm25UgM3);
  });
});

const freeBoxes = (w: SimWorld) => w.boxes.filter((b) => b.nearStationId === null);

describe('placement', () => {
  const world = createSimWorld({ seed: 5, boxes: 3000, startMs: START });
  const stations = world.stations;

  it('puts two boxes beside every reference station, within 300 m, before any other', () => {
    for (const [i, station] of stations.entries()) {
      const pair = world.boxes.filter((b) => b.nearStationId === station.siteId);
      expect(pair.map((b) => b.index)).toEqual([2 * i, 2 * i + 1]);
      expect(pair.map((b) => b.deviceId)).toEqual([
        `sim-${station.siteId}-a`,
        `sim-${station.siteId}-b`,
      ]);
      for (const box of pair) {
        expect(distanceM(box.lat, box.lon, station.lat, station.lon)).toBeLessThan(300);
        expect(box.indoor).toBe(false);
        expect(box.profile.clockOffsetMs).toBe(0);
      }
    }
    expect(world.boxes[2 * stations.length]!.deviceId).toBe('sim-00001');
  });

  it('stops after the station pairs when there are fewer boxes than pairs', () => {
    const small = createSimWorld({ seed: 5, boxes: 11, startMs: START });
    expect(small.boxes.map((b) => b.nearStationId)).toEqual(
      [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5].map((i) => stations[i]!.siteId),
    );
  });

  it('gives every box a unique valid device id and a place on land in Taiwan', () => {
    const ids = new Set(world.boxes.map((b) => b.deviceId));
    expect(ids.size).toBe(world.boxes.length);
    for (const box of world.boxes) {
      expect(isValidDeviceId(box.deviceId)).toBe(true);
      expect(box.lat).toBeGreaterThanOrEqual(TAIWAN_BBOX.minLat);
      expect(box.lat).toBeLessThanOrEqual(TAIWAN_BBOX.maxLat);
      expect(box.lon).toBeGreaterThanOrEqual(TAIWAN_BBOX.minLon);
      expect(box.lon).toBeLessThanOrEqual(TAIWAN_BBOX.maxLon);
      expect(isLand(box.lat, box.lon)).toBe(true);
    }
  });

  const counties = sharedData('geo/tw-counties.geo.json', 'CC0 1.0');
  it.skipIf(counties.path === null)(
    'places every spread box inside a county polygon, not in the sea (shared county map)',
    () => {
      const rings = countyRings(counties.path!);
      const offshore = freeBoxes(world).filter(
        (b) => !rings.some((ring) => insideRing(ring, b.lon, b.lat)),
      );
      expect(offshore.map((b) => `${b.deviceId} ${b.lat},${b.lon}`)).toEqual([]);
    },
  );
});

/** Outer rings of every county polygon in the g0v GeoJSON, as [lon, lat] pairs. */
function countyRings(path: string): number[][][] {
  const geo = JSON.parse(readFileSync(path, 'utf8')) as {
    features: { geometry: { type: string; coordinates: unknown } }[];
  };
  return geo.features.flatMap((f) => {
    const polygons = (
      f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates
    ) as number[][][][];
    return polygons.map((p) => p[0]!);
  });
}

function insideRing(ring: number[][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

describe('config', () => {
  it('refuses a bad or misspelt field, naming it', () => {
    expect(() =>
      createSimWorld({ seed: 1, boxes: 1, startMs: START, errors: { indoorShare: 1.5 } }),
    ).toThrow(/errors\.indoorShare/);
    expect(() =>
      createSimWorld({ seed: 1, boxes: 1, startMs: START, errors: { gainMaen: 2 } as never }),
    ).toThrow(SimConfigError);
    expect(() => createSimWorld({ seed: 1.5, boxes: 1, startMs: START })).toThrow(/seed/);
  });
});
