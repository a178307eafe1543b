import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SurfacePoint } from '@airbox/web';

/**
 * Reader for the SLBDD AirBox extract (Chen et al. 2017, IEEE Access 5:14441; GPL-3, kept
 * in ../shared/data/airbox-2017-03/, not copied into the project): `locations.csv` maps
 * series V1…V516 to latitude/longitude, `hourly-pm25-days01-14.csv` holds one row per hour
 * (hour_index 1…336, 1–14 March 2017) and one PM2.5 column per series. A few boxes stand
 * abroad (Singapore, Kuala Lumpur, Manila, Hanoi) or on Kinmen, off the main grid: only
 * boxes inside TAIWAN_BBOX are kept. Missing values (empty, NA) and negative ones are dropped.
 */

/** Taiwan's main island and Penghu, [west, south, east, north]. */
export const TAIWAN_BBOX = [119.3, 21.8, 122.1, 25.4] as const;

const locationRow = z.object({
  series: z.string().regex(/^V\d+$/),
  latitude: z.coerce.number().min(-90).max(90),
  longitude: z.coerce.number().min(-180).max(180),
});

function rows(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((line) => line.split(',').map((cell) => cell.trim().replace(/^"|"$/g, '')));
}

export interface AirboxHours {
  /** Boxes kept (inside TAIWAN_BBOX) / listed. */
  sitesKept: number;
  sitesListed: number;
  hours: number;
  /** The usable readings of hour_index `hour` (1-based). */
  hour(hour: number): SurfacePoint[];
}

export function readAirboxHours(locationsPath: string, hourlyPath: string): AirboxHours {
  const [, ...locRows] = rows(locationsPath);
  const where = new Map<string, { lat: number; lon: number }>();
  locRows.forEach((r, i) => {
    const parsed = locationRow.safeParse({ series: r[0], latitude: r[1], longitude: r[2] });
    if (!parsed.success)
      throw new Error(`${locationsPath} line ${i + 2}: ${parsed.error.issues[0]?.message}`);
    const { series, latitude: lat, longitude: lon } = parsed.data;
    const [w, s, e, n] = TAIWAN_BBOX;
    if (lon >= w && lon <= e && lat >= s && lat <= n) where.set(series, { lat, lon });
  });
  const [header = [], ...hourRows] = rows(hourlyPath);
  if (header[0] !== 'hour_index')
    throw new Error(`${hourlyPath}: first column is '${header[0]}', expected hour_index`);
  const columns = header.map((name) => where.get(name) ?? null);
  return {
    sitesKept: where.size,
    sitesListed: locRows.length,
    hours: hourRows.length,
    hour(hour) {
      const row = hourRows.find((r) => Number(r[0]) === hour);
      if (!row) throw new Error(`${hourlyPath}: no hour_index ${hour} (1…${hourRows.length})`);
      const points: SurfacePoint[] = [];
      row.forEach((cell, c) => {
        const site = columns[c];
        const value = cell === '' || cell === 'NA' ? NaN : Number(cell);
        if (c > 0 && site && Number.isFinite(value) && value >= 0) points.push({ ...site, value });
      });
      return points;
    },
  };
}
