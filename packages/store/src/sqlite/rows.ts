import {
  MEASURES,
  measureRecord,
  rollupMeans,
  rollupRecord,
  type MeasureNumbers,
  type RollupValues,
  type StoredReading,
} from '@airbox/contracts';
import { readDeadLetterCode } from '../dead-letter-code.ts';
import type { DeadLetter, HourlyRow } from '../port.ts';
import { SqliteStoreError } from './errors.ts';
import { corruptRow, FLAG_SEPARATOR, flagsFromText, isFormatId, isKind } from './labels.ts';

/** The columns of `readings` besides the measures, in the order of a ReadingColumns row. */
const FIXED_COLUMNS = [
  'device_id',
  'time_ms',
  'received_ms',
  'device_time',
  'lat',
  'lon',
  'pm25_calibrated_ug_m3',
  'calibration_model',
  'format',
  'app',
  'firmware',
  'flags',
  'kind',
] as const;

/** Where the measures of a ReadingColumns row start: after the fixed columns. */
const MEASURES_AT = FIXED_COLUMNS.length;
const MEASURE_FIELDS = MEASURES.map((m) => m.field);

/** Column order of `readings` rows, shared by the insert and every select. */
export const READING_COLUMNS: readonly string[] = [
  ...FIXED_COLUMNS,
  ...MEASURES.map((m) => m.sqliteColumn),
];

/**
 * A `readings` row in READING_COLUMNS order, as the selects return it in raw (array) mode —
 * about 2.5× cheaper than one object per row. The measures come last, in MEASURES order.
 */
export type ReadingColumns = [
  deviceId: string,
  timeMs: number,
  receivedMs: number,
  deviceTime: string | null,
  lat: number | null,
  lon: number | null,
  pm25CalibratedUgM3: number | null,
  calibrationModel: string | null,
  format: string,
  app: string | null,
  firmware: string | null,
  flags: string,
  kind: string,
  ...measures: MeasureNumbers,
];

/** The insert's bind values, in READING_COLUMNS order. */
export type ReadingBinds = (string | number | null)[];

/** Epoch ms of an ISO 8601 time, or a refusal naming the device and the field. */
export function isoToMs(iso: string, what: string): number {
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) {
    throw new SqliteStoreError(
      'store-invalid-reading',
      `${what} is ${JSON.stringify(iso)}, not an ISO 8601 time; decoders must set a valid time before the store`,
    );
  }
  return ms;
}

export function readingColumns(r: StoredReading): ReadingBinds {
  const row: ReadingBinds = [
    r.deviceId,
    isoToMs(r.time, `time of a reading from ${r.deviceId}`),
    isoToMs(r.receivedAt, `receivedAt of a reading from ${r.deviceId}`),
    r.deviceTime ?? null,
    r.lat,
    r.lon,
    r.pm25CalibratedUgM3 ?? null,
    r.calibrationModel ?? null,
    r.format,
    r.app,
    r.firmware,
    r.flags.join(FLAG_SEPARATOR),
    r.kind,
  ];
  for (const field of MEASURE_FIELDS) row.push(r[field]);
  return row;
}

/** The text columns that must hold one of our codes, checked rather than cast. */
function checkCodes(row: ReadingColumns, format: string, flagText: string, kind: string) {
  const [deviceId, timeMs] = row;
  const flags = flagsFromText(flagText);
  if (!isFormatId(format)) throw corruptRow(deviceId, timeMs, `has unknown format "${format}"`);
  if (!isKind(kind)) throw corruptRow(deviceId, timeMs, `has unknown kind "${kind}"`);
  if (flags === null) throw corruptRow(deviceId, timeMs, `has unknown flags "${flagText}"`);
  return { format, flags, kind };
}

/**
 * Every key of a stored reading, in the order series() has always answered with (the
 * measures after the position). Each row's reading is a copy of it: one copy of a known
 * shape is cheaper than adding keys one by one, as an object of run-time measures would.
 */
const READING_SHAPE: StoredReading = {
  deviceId: '',
  time: '',
  receivedAt: '',
  lat: null,
  lon: null,
  ...measureRecord(MEASURES, () => null),
  app: null,
  firmware: null,
  format: 'native-v1',
  flags: [],
  kind: 'box',
  pm25CalibratedUgM3: null,
  calibrationModel: null,
};

/** Sets the measures of a row, checked rather than cast: a REAL column may hold text. */
function setMeasures(reading: StoredReading, row: ReadingColumns): void {
  for (let i = 0; i < MEASURE_FIELDS.length; i++) {
    const field = MEASURE_FIELDS[i];
    if (field === undefined) continue;
    const value = row[MEASURES_AT + i];
    if (typeof value !== 'number' && value !== null) {
      throw corruptRow(row[0], row[1], `has a non-number ${field} ${JSON.stringify(value)}`);
    }
    reading[field] = value;
  }
}

export function readingFromColumns(row: ReadingColumns): StoredReading {
  const [
    deviceId,
    timeMs,
    receivedMs,
    deviceTime,
    lat,
    lon,
    pm25CalibratedUgM3,
    calibrationModel,
    format,
    app,
    firmware,
    flagText,
    kind,
  ] = row;
  const codes = checkCodes(row, format, flagText, kind);
  const reading: StoredReading = {
    ...READING_SHAPE,
    deviceId,
    time: new Date(timeMs).toISOString(),
    receivedAt: new Date(receivedMs).toISOString(),
    lat,
    lon,
    app,
    firmware,
    format: codes.format,
    flags: codes.flags,
    kind: codes.kind,
    pm25CalibratedUgM3,
    calibrationModel,
  };
  setMeasures(reading, row);
  // `deviceTime` is only set when the device clock was not trusted; keep it absent otherwise.
  if (deviceTime !== null) reading.deviceTime = deviceTime;
  return reading;
}

/** The means of the hourly roll-up, in its column order (see rollupMeans). */
export const HOURLY_MEANS = rollupMeans(MEASURES);

/**
 * An `hourly` row with means already divided out by the select, each under its HourlyRow
 * field (see statements.ts).
 */
export type HourlyDbRow = { device_id: string; hour_ms: number; n: number } & RollupValues;

export function hourlyFromRow(row: HourlyDbRow): HourlyRow {
  return {
    deviceId: row.device_id,
    hour: new Date(row.hour_ms).toISOString(),
    count: row.n,
    ...rollupRecord(HOURLY_MEANS, (mean) => row[mean.field]),
  };
}

export interface DeadLetterRow {
  id: number;
  received_ms: number;
  topic: string;
  payload: Uint8Array;
  payload_bytes: number;
  client_id: string | null;
  device_id: string | null;
  code: string;
  reason: string;
}

/** A stored dead letter; `payloadBytes` only for a preview, `deviceId` only when known. */
export function deadLetterFromRow(row: DeadLetterRow, preview: boolean): DeadLetter {
  const letter: DeadLetter = {
    id: row.id,
    receivedAt: new Date(row.received_ms).toISOString(),
    topic: row.topic,
    // A plain copy, not better-sqlite3's Buffer, so callers get exactly the port's type.
    payload: new Uint8Array(row.payload),
    clientId: row.client_id,
    ...readDeadLetterCode(row.code, row.reason),
  };
  if (preview) letter.payloadBytes = row.payload_bytes;
  if (row.device_id !== null) letter.deviceId = row.device_id;
  return letter;
}
