import { MEASURES, rollupMeans, type StoredReading } from '@airbox/contracts';
import type { HourlyRow } from '@airbox/store';
import type { DailyRow } from './series/daily.ts';

/** Column order of CSV exports: the reading's JSON field names, flags joined by `;`. */
export const READING_COLUMNS = [
  'deviceId',
  'time',
  'lat',
  'lon',
  ...MEASURES.map((m) => m.field),
  'pm25CalibratedUgM3',
  'calibrationModel',
  'flags',
  'format',
  'app',
  'firmware',
  'kind',
  'receivedAt',
] as const;

/** The means the hourly and daily roll-ups carry, in their column order. */
export const ROLLUP_MEASURES = rollupMeans(MEASURES).map((m) => m.field);

export const HOURLY_COLUMNS = ['deviceId', 'hour', 'count', ...ROLLUP_MEASURES] as const;

export const DAILY_COLUMNS = ['deviceId', 'day', 'hours', 'count', ...ROLLUP_MEASURES] as const;

/**
 * A number's cell: empty for NaN and ±Infinity, as JSON writes them null. A stored value is
 * finite (JSON has no Infinity), but a mean of one can overflow — a file's hour summed
 * before out-of-range values were left out — and `Infinity` is no number a CSV reader
 * (or a spreadsheet) takes. Also the raw readings' writer (series/reading-text.ts).
 */
export function csvNumber(v: number): string {
  return Number.isFinite(v) ? String(v) : '';
}

/** RFC 4180: quote fields holding a comma, quote or newline; double inner quotes. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  // Most cells are numbers: no quoting to decide (exports run to millions of cells).
  if (typeof v === 'number') return csvNumber(v);
  const s = Array.isArray(v) ? v.join(';') : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine<T extends object>(row: T, columns: readonly (keyof T & string)[]): string {
  return columns.map((c) => cell(row[c])).join(',') + '\r\n';
}

export function readingCsvLine(r: StoredReading): string {
  return csvLine(r, READING_COLUMNS);
}

export function hourlyCsvLine(r: HourlyRow): string {
  return csvLine(r, HOURLY_COLUMNS);
}

export function dailyCsvLine(r: DailyRow): string {
  return csvLine(r, DAILY_COLUMNS);
}
