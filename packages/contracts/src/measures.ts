/**
 * The measured quantities of a reading: one row each, and everything that differs between
 * them is a column here. The reading's fields, the QC range flags, the store's SQLite
 * columns (added to an existing file when it opens) and InfluxDB fields, the API, native
 * JSON and browser schemas, the CSV headers, the OpenAPI document and the hourly/daily
 * roll-ups are all derived from this table: adding a measure is adding a row (proved by
 * cli/test/add-measure.test.ts). Only wire formats with a key of their own per measure
 * (LASS `s_d0` …) name measures one by one; a format that does not carry a measure leaves
 * it null.
 *
 * Code that derives from the table imports MEASURES from '@airbox/contracts' and derives
 * where it is used (the helpers in measure-shapes.ts take the table as an argument), so a
 * test can swap the table with vi.mock and see every layer follow.
 */

/**
 * How far a flag on a measure lowers trust in the reading's PM2.5:
 * - `info`: worth knowing, the PM2.5 is usable as it is;
 * - `suspect`: kept and shown, but left out of calibration fits and the interpolated surface;
 * - `unusable`: the PM2.5 cannot be used at all.
 */
export type FlagSeverity = 'info' | 'suspect' | 'unusable';

/** What can be wrong with one measure of one reading (flag `<id>-<problem>`). */
export type MeasureProblem = 'missing' | 'invalid' | 'out-of-range';

export interface MeasureSpec {
  /** Short id: flag codes (`pm25-out-of-range`), InfluxDB field, roll-up column stem. */
  readonly id: string;
  /** The reading's JSON field, also the CSV header: the unit is in the name. */
  readonly field: string;
  /** For people, in English and Traditional Chinese. */
  readonly label: string;
  readonly labelZh: string;
  readonly unit: string;
  /** Plausible range: outside it a value is kept but flagged `<id>-out-of-range`. */
  readonly min: number;
  readonly max: number;
  /** The SQLite column of the readings table (snake case, unit in the name). */
  readonly sqliteColumn: string;
  /**
   * Whether the hourly and daily roll-ups carry its mean. The SQLite roll-up keeps its count
   * and sum in the hourly columns `<id>_n` and `<id>_sum`.
   */
  readonly rollup: boolean;
  /**
   * Where its mean stands among the roll-up columns (hourly and daily CSV and JSON): the
   * first measures had an order there of their own, PM2.5 first. A measure without one
   * comes after those that have one, in table order.
   */
  readonly rollupOrder?: number;
  readonly severity: Readonly<Record<MeasureProblem, FlagSeverity>>;
}

// PM2.5 is what the network is for: a PM2.5 problem makes the reading unusable.
const PM25 = { missing: 'unusable', invalid: 'unusable', 'out-of-range': 'unusable' } as const;
const OTHER_PM = { missing: 'info', invalid: 'info', 'out-of-range': 'suspect' } as const;
// A broken T/RH sensor does not falsify the PM reading; RH-based calibration falls back.
const AMBIENT = { missing: 'info', invalid: 'info', 'out-of-range': 'info' } as const;

/**
 * Ranges: PMS5003 datasheet, "maximum range ≥ 1000 µg/m³" (effective range 0–500).
 * Ambient temperature: the SHT31/HTU21D/BME280 parts all cover −40…85 °C; beyond that the
 * reading is a sensor fault (real LASS data holds s_t0=604.51).
 */
export const MEASURES = [
  {
    id: 'pm1',
    field: 'pm1UgM3',
    label: 'PM1',
    labelZh: 'PM1',
    unit: 'µg/m³',
    min: 0,
    max: 1000,
    sqliteColumn: 'pm1_ug_m3',
    rollup: true,
    rollupOrder: 2,
    severity: OTHER_PM,
  },
  {
    id: 'pm25',
    field: 'pm25UgM3',
    label: 'PM2.5',
    labelZh: 'PM2.5',
    unit: 'µg/m³',
    min: 0,
    max: 1000,
    sqliteColumn: 'pm25_ug_m3',
    rollup: true,
    rollupOrder: 0,
    severity: PM25,
  },
  {
    id: 'pm10',
    field: 'pm10UgM3',
    label: 'PM10',
    labelZh: 'PM10',
    unit: 'µg/m³',
    min: 0,
    max: 1000,
    sqliteColumn: 'pm10_ug_m3',
    rollup: true,
    rollupOrder: 1,
    severity: OTHER_PM,
  },
  {
    id: 'temperature',
    field: 'temperatureC',
    label: 'temperature',
    labelZh: '溫度',
    unit: '°C',
    min: -40,
    max: 85,
    sqliteColumn: 'temperature_c',
    rollup: true,
    rollupOrder: 3,
    severity: AMBIENT,
  },
  {
    id: 'humidity',
    field: 'humidityPct',
    label: 'relative humidity',
    labelZh: '相對濕度',
    unit: '%',
    min: 0,
    max: 100,
    sqliteColumn: 'humidity_pct',
    rollup: true,
    rollupOrder: 4,
    severity: AMBIENT,
  },
] as const satisfies readonly MeasureSpec[];

export type Measure = (typeof MEASURES)[number];
export type MeasureId = Measure['id'];
export type MeasureField = Measure['field'];

/** One value per measure, null where the device did not report it. */
export type MeasureValues = { [F in MeasureField]: number | null };

/**
 * Each measure by its short id, for code about one named measure (a LASS key, the PM order
 * check). Code about every measure goes through MEASURES instead.
 */
export const MEASURE_BY_ID = Object.fromEntries(MEASURES.map((m) => [m.id, m])) as {
  [I in MeasureId]: Extract<Measure, { id: I }>;
};
