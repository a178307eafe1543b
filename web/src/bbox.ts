/** A geographic box in WGS 84 degrees, as `bbox=west,south,east,north` (RFC 7946 §5). */
export interface BBox {
  west: number;
  south: number;
  east: number;
  north: number;
}

/**
 * Is the point inside the box (edges included)? A box whose west is greater than its east
 * crosses the antimeridian (RFC 7946 §5.2), so it holds longitudes >= west OR <= east.
 */
export function inBBox(box: BBox, lat: number | null, lon: number | null): boolean {
  if (lat === null || lon === null) return false;
  if (lat < box.south || lat > box.north) return false;
  return box.west <= box.east
    ? lon >= box.west && lon <= box.east
    : lon >= box.west || lon <= box.east;
}

/** Problems of four parsed numbers as a box, or null when they are one. */
export function bboxProblem(values: readonly number[]): string | null {
  const [west, south, east, north] = values;
  if (values.length !== 4 || west === undefined || south === undefined) {
    return 'expected four numbers west,south,east,north, e.g. 120.0,21.8,122.1,25.4';
  }
  if (east === undefined || north === undefined) return 'expected four numbers';
  if (!values.every(Number.isFinite)) return 'every value must be a finite number';
  for (const [name, v] of [
    ['west', west],
    ['east', east],
  ] as const) {
    if (v < -180 || v > 180) return `${name} ${v} is outside -180…180 degrees of longitude`;
  }
  for (const [name, v] of [
    ['south', south],
    ['north', north],
  ] as const) {
    if (v < -90 || v > 90) return `${name} ${v} is outside -90…90 degrees of latitude`;
  }
  if (south > north) return `south ${south} is north of north ${north}`;
  return null;
}
