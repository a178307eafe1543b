/**
 * The engine's input: every box's hourly means on one grid of hours, as typed arrays (NaN
 * where the hour has no value), so 15,000 boxes × days of hours fit in a few MB and every
 * detector is a loop over numbers. Built from the store's hourly roll-up (HourlyRow), so a
 * replay or a backfill is judged by reading time like live data.
 */
import type { HourlyRow } from '@airbox/store';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Hours [startMs + i·HOUR_MS, +1 h) for i in 0 … hours − 1; the window ends at endMs. */
export interface HourGrid {
  startMs: number;
  hours: number;
}

export function gridEnding(endMs: number, hours: number): HourGrid {
  // The hour that holds endMs is the last one (possibly still filling).
  const lastHourMs = Math.floor((endMs - 1) / HOUR_MS) * HOUR_MS;
  return { startMs: lastHourMs - (hours - 1) * HOUR_MS, hours };
}

export function gridEndMs(grid: HourGrid): number {
  return grid.startMs + grid.hours * HOUR_MS;
}

/** What the registry knows of a box, and where its latest reading put it. */
export interface BoxInfo {
  deviceId: string;
  /** Where the box stands (registered, or its latest reported position). */
  lat: number;
  lon: number;
  placement: 'outdoor' | 'indoor';
  /** The latest reading's reported position and flags, for `moved`; null when unknown. */
  latest?: { lat: number | null; lon: number | null; flags: readonly string[] } | null;
}

export interface BoxSeries extends BoxInfo {
  /** Readings in the hour; 0 where the box sent nothing. */
  count: Float64Array;
  /** Hourly mean raw PM2.5, µg/m³; NaN where the hour had readings without PM, or none. */
  pm25: Float64Array;
  temperatureC: Float64Array;
  humidityPct: Float64Array;
}

/** A reference station's hourly PM2.5 on the same grid. */
export interface StationSeries {
  deviceId: string;
  lat: number;
  lon: number;
  pm25: Float64Array;
}

export function emptySeries(info: BoxInfo, grid: HourGrid): BoxSeries {
  return {
    ...info,
    count: new Float64Array(grid.hours),
    pm25: new Float64Array(grid.hours).fill(NaN),
    temperatureC: new Float64Array(grid.hours).fill(NaN),
    humidityPct: new Float64Array(grid.hours).fill(NaN),
  };
}

const num = (v: number | null): number => (v === null ? NaN : v);

/** Puts one roll-up row into its box's series; rows outside the grid are ignored. */
export function addHourlyRow(series: BoxSeries, grid: HourGrid, row: HourlyRow): void {
  const i = Math.round((Date.parse(row.hour) - grid.startMs) / HOUR_MS);
  if (i < 0 || i >= grid.hours) return;
  series.count[i] = row.count;
  series.pm25[i] = num(row.pm25UgM3);
  series.temperatureC[i] = num(row.temperatureC);
  series.humidityPct[i] = num(row.humidityPct);
}

/** The series of the boxes from their roll-up rows (any order). */
export function seriesFromHourly(
  infos: readonly BoxInfo[],
  rows: readonly HourlyRow[],
  grid: HourGrid,
): BoxSeries[] {
  const byId = new Map(infos.map((info) => [info.deviceId, emptySeries(info, grid)]));
  for (const row of rows) {
    const series = byId.get(row.deviceId);
    if (series !== undefined) addHourlyRow(series, grid, row);
  }
  return [...byId.values()];
}

/** A station's series from its roll-up rows. */
export function stationFromHourly(
  station: { deviceId: string; lat: number; lon: number },
  rows: readonly HourlyRow[],
  grid: HourGrid,
): StationSeries {
  const pm25 = new Float64Array(grid.hours).fill(NaN);
  for (const row of rows) {
    if (row.deviceId !== station.deviceId) continue;
    const i = Math.round((Date.parse(row.hour) - grid.startMs) / HOUR_MS);
    if (i >= 0 && i < grid.hours) pm25[i] = num(row.pm25UgM3);
  }
  return { ...station, pm25 };
}
