import { stat, readFile } from 'node:fs/promises';
import { Row, splitCsvLine } from './csv.ts';
import { CalibrationError } from './errors.ts';
import { median } from './stats.ts';
import type { Pair } from './types.ts';

interface RowValues {
  site: string;
  time: string;
  rawPm25UgM3: number | null;
  rhPct: number | null;
  temperatureC: number | null;
  refPm25UgM3: number | null;
}

export const PAIR_FORMAT_IDS = ['generic', 'purpleair-daily'] as const;
export type PairFormat = (typeof PAIR_FORMAT_IDS)[number];

interface FormatSpec {
  id: PairFormat;
  /** Columns that must be in the header (others are ignored). */
  required: readonly string[];
  /** How the raw and reference values are named in messages. */
  rawName: string;
  refName: string;
  read(row: Row): RowValues;
}

/** The documented generic format (calibrate/README.md, "Generic CSV"). */
const GENERIC: FormatSpec = {
  id: 'generic',
  required: ['site', 'time', 'raw_pm25', 'rh', 'temperature_c', 'ref_pm25'],
  rawName: 'raw_pm25',
  refName: 'ref_pm25',
  read: (row) => ({
    site: row.text('site'),
    time: row.text('time'),
    rawPm25UgM3: row.number('raw_pm25'),
    rhPct: row.number('rh'),
    temperatureC: row.number('temperature_c'),
    refPm25UgM3: row.number('ref_pm25'),
  }),
};

// Daily PurpleAir–AQS pairs as published by MartineMathieu/PurpleAir-calibration:
// sensor_index = PurpleAir sensor, DAILY = date, conc = AQS reference daily mean,
// pm2.5_cf_1_a/_b = the two Plantower channels at CF=1, humidity_a, temp_Celsius.
const PURPLEAIR_DAILY: FormatSpec = {
  id: 'purpleair-daily',
  required: [
    'sensor_index',
    'DAILY',
    'conc',
    'pm2.5_cf_1_a',
    'pm2.5_cf_1_b',
    'humidity_a',
    'temp_Celsius',
  ],
  rawName: 'raw (mean of pm2.5_cf_1_a and pm2.5_cf_1_b)',
  refName: 'conc',
  read(row) {
    const a = row.number('pm2.5_cf_1_a');
    const b = row.number('pm2.5_cf_1_b');
    return {
      site: row.text('sensor_index'),
      time: row.text('DAILY'),
      // Barkjohn et al. 2021 use the A/B mean; one channel alone is not the same quantity.
      rawPm25UgM3: a === null || b === null ? null : (a + b) / 2,
      rhPct: row.number('humidity_a'),
      temperatureC: row.number('temp_Celsius'),
      refPm25UgM3: row.number('conc'),
    };
  },
};

const PAIR_FORMATS: Readonly<Record<PairFormat, FormatSpec>> = {
  generic: GENERIC,
  'purpleair-daily': PURPLEAIR_DAILY,
};

/** The columns each format requires, for help texts. */
export function requiredColumns(format: PairFormat): readonly string[] {
  return PAIR_FORMATS[format].required;
}

export interface PairFile {
  source: string;
  format: PairFormat;
  pairs: Pair[];
  /** Data rows read, and those without both a raw and a reference value. */
  rows: number;
  skippedRows: number;
  sites: string[];
}

/** A median above this is 1000× any plausible ambient PM2.5 in µg/m³: the file is in ng/m³. */
export const UNITS_MEDIAN_LIMIT_UGM3 = 1000;
/** Calibration tables are small; a bigger file is a mistake, not a workload. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export async function readPairFile(path: string, format?: PairFormat): Promise<PairFile> {
  const { size } = await stat(path);
  if (size > MAX_FILE_BYTES) {
    throw new CalibrationError(
      'file-too-large',
      `${path}: ${size} bytes, more than the ${MAX_FILE_BYTES} a pair file may have; ` +
        'split it or average it to hourly or daily means first',
    );
  }
  return parsePairs(await readFile(path, 'utf8'), path, format);
}

export function parsePairs(text: string, source: string, format?: PairFormat): PairFile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) {
    throw new CalibrationError(
      'empty-file',
      `${source}: the file is empty; expected a header line such as ` +
        `"${GENERIC.required.join(',')}"`,
    );
  }
  const header = splitCsvLine(lines[headerAt] ?? '');
  const spec = format === undefined ? detect(header, source) : PAIR_FORMATS[format];
  const missing = spec.required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new CalibrationError(
      'missing-columns',
      `${source}: format ${spec.id} needs column(s) ${missing.join(', ')}, which the header ` +
        `"${header.join(',')}" lacks; rename the columns or pick another --format`,
    );
  }
  const index = new Map(header.map((name, i) => [name, i]));
  const values: RowValues[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    const row = new Row(source, i + 1, cells, index);
    if (cells.length < header.length) {
      throw new CalibrationError(
        'bad-row',
        `${row.where()}: ${cells.length} cells, but the header has ${header.length}`,
      );
    }
    values.push(checkRow(spec.read(row), row));
  }
  return toPairFile(values, spec, source);
}

function detect(header: string[], source: string): FormatSpec {
  const specs = Object.values(PAIR_FORMATS);
  const match = specs.find((s) => s.required.every((c) => header.includes(c)));
  if (match) return match;
  const needs = specs
    .map((s) => `${s.id} (missing ${s.required.filter((c) => !header.includes(c)).join(', ')})`)
    .join('; ');
  throw new CalibrationError(
    'unknown-format',
    `${source}: the header "${header.join(',')}" matches no known format: ${needs}; ` +
      'fix the header or pass --format',
  );
}

function checkRow(v: RowValues, row: Row): RowValues {
  if (v.site === '') throw new CalibrationError('bad-row', `${row.where()}: the site is empty`);
  if (v.time === '' || Number.isNaN(Date.parse(v.time))) {
    throw new CalibrationError(
      'bad-row',
      `${row.where()}: time "${v.time}" is not an ISO 8601 date or date-time`,
    );
  }
  if (v.rhPct !== null && (v.rhPct < 0 || v.rhPct > 100)) {
    throw new CalibrationError(
      'out-of-range',
      `${row.where()}: RH ${v.rhPct} % is outside 0–100; leave the cell empty if unknown`,
    );
  }
  return v;
}

function toPairFile(values: RowValues[], spec: FormatSpec, source: string): PairFile {
  if (values.length === 0) {
    throw new CalibrationError('no-pairs', `${source}: the header is there but no data rows`);
  }
  const pairs: Pair[] = [];
  const rowsBySite = new Map<string, number>();
  for (const v of values) {
    rowsBySite.set(v.site, (rowsBySite.get(v.site) ?? 0) + 1);
    if (v.rawPm25UgM3 === null || v.refPm25UgM3 === null) continue;
    pairs.push({ ...v, rawPm25UgM3: v.rawPm25UgM3, refPm25UgM3: v.refPm25UgM3 });
  }
  const withPairs = new Set(pairs.map((p) => p.site));
  const empty = [...rowsBySite].filter(([site]) => !withPairs.has(site));
  if (empty.length > 0) {
    const list = empty.map(([site, n]) => `${site} (${n} row${n === 1 ? '' : 's'})`).join(', ');
    throw new CalibrationError(
      pairs.length === 0 ? 'no-pairs' : 'site-without-data',
      `${source}: no row with both ${spec.rawName} and ${spec.refName} at site ${list}; ` +
        'fill the values in or remove the site',
    );
  }
  assertMicrograms(pairs, spec, source);
  return {
    source,
    format: spec.id,
    pairs,
    rows: values.length,
    skippedRows: values.length - pairs.length,
    sites: [...withPairs],
  };
}

function assertMicrograms(pairs: Pair[], spec: FormatSpec, source: string): void {
  const columns = [
    [spec.rawName, pairs.map((p) => p.rawPm25UgM3)],
    [spec.refName, pairs.map((p) => p.refPm25UgM3)],
  ] as const;
  for (const [name, values] of columns) {
    const m = median(values);
    if (m > UNITS_MEDIAN_LIMIT_UGM3) {
      throw new CalibrationError(
        'units-off-by-1000',
        `${source}: the median ${name} is ${m}, 1000× a plausible PM2.5 in µg/m³ — the file ` +
          'looks like ng/m³; divide the column by 1000 (or export in µg/m³) and try again',
      );
    }
  }
}
