import type { Reading } from '@airbox/contracts';
import { REFERENCE_APPS, REFERENCE_FORMATS } from './format.ts';
import {
  problem,
  ReferenceFileError,
  type ParsedReference,
  type RecordProblem,
} from './problems.ts';
import { stationReading } from './reading.ts';
import { asIndex, type ReferenceStation, type StationIndex } from './stations.ts';

/**
 * The reference CSV (ingest/README.md, "Reference stations"):
 *
 *     station,time,pm25_ugm3[,pm10_ugm3]
 *     Hengchun,2020-05-23T10:00+08:00,5,7
 *
 * - a header naming the columns (any order; other columns are ignored);
 * - `station`: a registry site id (`61`), English name (`Hengchun`) or Chinese name (`恆春`);
 * - `time`: ISO 8601 with a UTC offset or `Z` — a bare local time is refused, since the
 *   same text is a different instant in Taipei and in UTC;
 * - `pm25_ugm3`, `pm10_ugm3`: µg/m³; empty = not measured (kept, flagged missing);
 * - blank lines and lines starting with `#` are skipped; cells are not quoted.
 */
export const CSV_COLUMNS = {
  required: ['station', 'time', 'pm25_ugm3'],
  optional: ['pm10_ugm3'],
} as const;

/** Above this median the file is in the wrong unit or column (ambient PM is 1–300 µg/m³). */
export const MAX_PLAUSIBLE_MEDIAN_UGM3 = 1000;

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|([+-])(\d{2}):?(\d{2}))$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

type Columns = { station: number; time: number; pm25: number; pm10: number | null };

/**
 * Reads a reference CSV. A bad row is reported (line, column, problem) and the others are
 * read; a missing column or implausible units refuse the whole file (ReferenceFileError),
 * before anything is stored.
 */
export function parseReferenceCsv(
  text: string,
  stations: readonly ReferenceStation[] | StationIndex,
  source = 'reference CSV',
): ParsedReference<Reading> {
  const index = asIndex(stations);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => !skipped(l));
  if (headerAt < 0) throw new ReferenceFileError(source, 'missing-column', 'the file is empty');
  const cols = columns(lines[headerAt]!, source, headerAt + 1);
  const out: ParsedReference<Reading> = { readings: [], problems: [] };
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (skipped(line)) continue;
    const row = parseRow(
      line.split(',').map((c) => c.trim()),
      cols,
      index,
      source,
      i + 1,
    );
    if ('code' in row) out.problems.push(row);
    else out.readings.push(row);
  }
  checkUnits(out.readings, source);
  return out;
}

function skipped(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

function columns(header: string, source: string, lineNo: number): Columns {
  const names = header.split(',').map((c) => c.trim().toLowerCase());
  for (const need of CSV_COLUMNS.required) {
    if (names.includes(need)) continue;
    const unit = need.startsWith('pm') && names.some((n) => /^pm(25|2\.5)_?mg/.test(n));
    throw new ReferenceFileError(
      source,
      'missing-column',
      `line ${lineNo}: no "${need}" column in the header "${header.trim()}"; expected ${CSV_COLUMNS.required.join(',')}[,${CSV_COLUMNS.optional.join(',')}]` +
        (unit ? ' (values in mg/m³: multiply by 1000 and name the column pm25_ugm3)' : ''),
    );
  }
  const pm10 = names.indexOf('pm10_ugm3');
  return {
    station: names.indexOf('station'),
    time: names.indexOf('time'),
    pm25: names.indexOf('pm25_ugm3'),
    pm10: pm10 < 0 ? null : pm10,
  };
}

function parseRow(
  cells: string[],
  cols: Columns,
  index: StationIndex,
  source: string,
  lineNo: number,
): Reading | RecordProblem {
  const at = (column: string) => `line ${lineNo}, column ${column}`;
  const needed = Math.max(cols.station, cols.time, cols.pm25, cols.pm10 ?? 0) + 1;
  if (cells.length < needed) {
    return problem(
      source,
      `line ${lineNo}`,
      'not-a-record',
      `${cells.length} cells, the header needs ${needed}`,
    );
  }
  const name = cells[cols.station]!;
  const station = index.byAnyName(name);
  if (station === undefined) {
    return problem(
      source,
      at('station'),
      'unknown-station',
      `${JSON.stringify(name)} is not a station of the registry (give a site id, English or Chinese name)`,
    );
  }
  const time = cells[cols.time]!;
  const timeMs = parseIsoWithZone(time);
  if (typeof timeMs === 'string')
    return problem(source, at('time'), 'invalid-time', `${JSON.stringify(time)} ${timeMs}`);
  const pm25 = concentration(cells[cols.pm25]!);
  if (typeof pm25 === 'string') return problem(source, at('pm25_ugm3'), 'invalid-value', pm25);
  const pm10 = cols.pm10 === null ? null : concentration(cells[cols.pm10] ?? '');
  if (typeof pm10 === 'string') return problem(source, at('pm10_ugm3'), 'invalid-value', pm10);
  return stationReading(
    station,
    { timeMs, pm25: pm25 ?? '', pm10: pm10 ?? '' },
    { format: REFERENCE_FORMATS.csv, app: REFERENCE_APPS.csv },
  );
}

/** Epoch ms, or why the text is not an ISO 8601 time with a zone. */
function parseIsoWithZone(text: string): number | string {
  if (ISO_NO_ZONE.test(text)) {
    return 'has no UTC offset: write e.g. 2024-05-01T14:00+08:00 (Taipei) or 2024-05-01T06:00Z';
  }
  const m = ISO_WITH_ZONE.exec(text);
  if (!m) return 'is not an ISO 8601 time (e.g. 2024-05-01T14:00+08:00)';
  const n = (i: number) => Number(m[i] ?? 0);
  const [year, month, day, hour, minute, second] = [n(1), n(2), n(3), n(4), n(5), n(6)];
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(n(7) * 1000);
  // Date.UTC (and Date.parse) roll 30 February over into March: such a time is not a real one.
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) {
    return 'is not a real date and time';
  }
  if (hour > 23 || minute > 59 || second > 59) return 'is not a real date and time';
  const offsetMin = m[8] === 'Z' ? 0 : (m[9] === '-' ? -1 : 1) * (n(10) * 60 + n(11));
  return localMs - offsetMin * 60_000;
}

/** µg/m³, null when empty, or why the cell is not a concentration. */
function concentration(cell: string): number | null | string {
  if (cell === '') return null;
  const value = Number(cell);
  if (!Number.isFinite(value)) return `${JSON.stringify(cell)} is not a number`;
  if (value < 0) return `${cell} is negative; a concentration cannot be`;
  return value;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function checkUnits(readings: Reading[], source: string): void {
  for (const [column, key] of [
    ['pm25_ugm3', 'pm25UgM3'],
    ['pm10_ugm3', 'pm10UgM3'],
  ] as const) {
    const m = median(readings.flatMap((r) => (r[key] === null ? [] : [r[key]])));
    if (m !== null && m > MAX_PLAUSIBLE_MEDIAN_UGM3) {
      throw new ReferenceFileError(
        source,
        'unit-suspect',
        `column ${column}: the median is ${m} µg/m³, above ${MAX_PLAUSIBLE_MEDIAN_UGM3}: the values are 1000× too large (mg/µg confusion, e.g. ng/m³ or µg/m³ labelled mg) or from the wrong column. Nothing was imported.`,
      );
    }
  }
}
