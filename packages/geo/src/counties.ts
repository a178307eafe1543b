import { readFileSync } from 'node:fs';
import { packageFile } from './package-file.ts';

/** A county of the bundled map: its code (COUNTYSN), its name (2010) and outline. */
export interface County {
  code: string;
  name: string;
  /** Polygons of rings of [lon, lat]; the first ring is the outline, the others holes. */
  polygons: number[][][][];
  /** [minLon, minLat, maxLon, maxLat], to skip most counties without testing a ring. */
  bbox: [number, number, number, number];
}

const COUNTIES_FILE = packageFile(import.meta.url, '@airbox/geo', 'data/tw-counties.geo.json');

interface Feature {
  properties: { COUNTYSN: string; name: string };
  geometry:
    | { type: 'Polygon'; coordinates: number[][][] }
    | { type: 'MultiPolygon'; coordinates: number[][][][] };
}

let loaded: County[] | null = null;

/** The 22 counties of data/tw-counties.geo.json (CC0, g0v/twgeojson), read once. */
export function loadCounties(): County[] {
  loaded ??= parseCounties(readFileSync(COUNTIES_FILE, 'utf8'));
  return loaded;
}

function parseCounties(text: string): County[] {
  const { features } = JSON.parse(text) as { features: Feature[] };
  return features.map((f) => {
    const polygons =
      f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    return {
      code: f.properties.COUNTYSN,
      name: f.properties.name,
      polygons,
      bbox: bboxOf(polygons),
    };
  });
}

function bboxOf(polygons: number[][][][]): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const ring of polygons.flatMap((p) => p.slice(0, 1))) {
    for (const [lon, lat] of ring) {
      box[0] = Math.min(box[0], lon!);
      box[1] = Math.min(box[1], lat!);
      box[2] = Math.max(box[2], lon!);
      box[3] = Math.max(box[3], lat!);
    }
  }
  return box;
}

/**
 * The names people write today, mapped to the map's (2010): 臺 and 台 are one character in
 * use, and Taoyuan became a city in 2014.
 */
const RENAMED: Record<string, string> = { 桃園市: '桃園縣' };

/** The county named (臺北市, 台北市, 桃園市) or with this code, or null. */
export function findCounty(nameOrCode: string): County | null {
  const wanted = nameOrCode.trim().replaceAll('臺', '台');
  const name = RENAMED[wanted] ?? wanted;
  return loadCounties().find((c) => c.name === name || c.code === wanted) ?? null;
}

/** The county a point is in, or null (at sea, abroad). */
export function countyAt(lat: number, lon: number): County | null {
  for (const c of loadCounties()) {
    const [minLon, minLat, maxLon, maxLat] = c.bbox;
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) continue;
    if (c.polygons.some((p) => inPolygon(p, lon, lat))) return c;
  }
  return null;
}

function inPolygon(rings: number[][][], lon: number, lat: number): boolean {
  const [outline, ...holes] = rings;
  return (
    outline !== undefined && inRing(outline, lon, lat) && !holes.some((h) => inRing(h, lon, lat))
  );
}

/** Even-odd ray casting: a ray to the east crosses the ring's edges an odd number of times. */
function inRing(ring: number[][], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > y !== yj! > y && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}
