import { MEASURES, type MeasureField, type StoredReading } from '@airbox/contracts';
import {
  READING_ROW,
  rowLabels,
  rowNumber,
  type ReadingLabels,
  type ReadingRow,
} from '@airbox/store';
import { csvNumber } from '../csv.ts';
import { IsoTimes } from './iso-time.ts';

/**
 * Readings as JSON objects and CSV lines, written from the store's rows (ReadingRow) rather
 * than from one StoredReading object each: the text is exactly what JSON.stringify of the
 * reading and `readingCsvLine` (csv.ts) give, which the tests check field by field. The
 * labels of a row (format, app, flags …) repeat from reading to reading and the SQLite
 * store hands out one object for equal labels, so their text is made again only when the
 * object changes; times share their date part (IsoTimes).
 */

/** Every field ReadingJson writes (ReadingCsv writes those of csv.ts READING_COLUMNS). */
type WrittenField =
  | 'deviceId'
  | 'time'
  | 'receivedAt'
  | 'lat'
  | 'lon'
  | MeasureField
  | 'app'
  | 'firmware'
  | 'format'
  | 'flags'
  | 'kind'
  | 'pm25CalibratedUgM3'
  | 'calibrationModel'
  | 'deviceTime';
type Assert<T extends true> = T;
// Compile-time: a field added to StoredReading fails tsc here until the writer writes it.
export type WritesEveryField = Assert<
  [Exclude<keyof StoredReading, WrittenField>] extends [never] ? true : false
>;

/** JSON.stringify of a number: non-finite numbers become null (ECMA-262 §25.5.2.2). */
function jsonNumber(v: number): string {
  return Number.isFinite(v) ? `${v}` : 'null';
}

// Enough for a device-day's distinct values; cleared when full, so memory stays bounded.
const MAX_REMEMBERED_NUMBERS = 4096;

/**
 * Number to text, remembered. Readings repeat values (position, whole µg/m³ from the sensor,
 * values derived from them), and a Map lookup is ~4× cheaper than formatting a double
 * (shortest round-trip digits) again: 1.05 -> 0.27 ms for a device-day's 11,520 values.
 */
class NumberTexts {
  readonly #texts = new Map<number, string>();
  readonly #format: (v: number) => string;
  readonly #nullText: string;

  constructor(format: (v: number) => string, nullText: string) {
    this.#format = format;
    this.#nullText = nullText;
  }

  text(v: number | null): string {
    if (v === null) return this.#nullText;
    let text = this.#texts.get(v);
    if (text === undefined) {
      if (this.#texts.size >= MAX_REMEMBERED_NUMBERS) this.#texts.clear();
      text = this.#format(v);
      this.#texts.set(v, text);
    }
    return text;
  }
}

/** The fields of ReadingLabels a JSON reading holds, in the order series() builds them. */
function jsonLabels(l: ReadingLabels): { middle: string; end: string } {
  const text = JSON.stringify;
  const deviceTime = l.deviceTime === null ? '' : `,"deviceTime":${text(l.deviceTime)}`;
  return {
    middle: `"app":${text(l.app)},"firmware":${text(l.firmware)},"format":${text(l.format)},"flags":${text(l.flags)},"kind":${text(l.kind)}`,
    end: `"calibrationModel":${text(l.calibrationModel)}${deviceTime}`,
  };
}

const { measuresAt: MEASURES_AT, calibratedAt: CALIBRATED_AT } = READING_ROW;

/** `,"pm1UgM3":` …: the key of each measure in a JSON reading, made once, in table order. */
const MEASURE_JSON_KEYS = MEASURES.map((m) => `,${JSON.stringify(m.field)}:`);

/**
 * One reading as JSON, with the keys in the order of the SQLite adapter's readingFromColumns
 * (the bytes the API answered before this writer): deviceId, time, receivedAt, the measures,
 * app, firmware, format, flags, kind, the calibration, and deviceTime only when set.
 */
export class ReadingJson {
  // Two clocks: a reading's arrival may fall on the next day, and each keeps its own.
  readonly #times = new IsoTimes();
  readonly #arrivals = new IsoTimes();
  readonly #numbers = new NumberTexts(jsonNumber, 'null');
  #lastLabels: ReadingLabels | null = null;
  #labelsText = { middle: '', end: '' };

  /** `deviceJson` is JSON.stringify(deviceId), made once per device by the caller. */
  object(deviceJson: string, row: ReadingRow): string {
    const l = rowLabels(row);
    if (l !== this.#lastLabels) {
      this.#labelsText = jsonLabels(l);
      this.#lastLabels = l;
    }
    const labels = this.#labelsText;
    const n = this.#numbers;
    let text =
      `{"deviceId":${deviceJson},"time":"${this.#times.format(row[0])}","receivedAt":"${this.#arrivals.format(row[1])}"` +
      `,"lat":${n.text(row[2])},"lon":${n.text(row[3])}`;
    let at = MEASURES_AT;
    for (const key of MEASURE_JSON_KEYS) text += key + n.text(rowNumber(row, at++));
    const cal = rowNumber(row, CALIBRATED_AT);
    return `${text},${labels.middle},"pm25CalibratedUgM3":${n.text(cal)},${labels.end}}`;
  }
}

/** csv.ts `cell` of a string: RFC 4180, quoted when it holds a comma, quote or newline. */
export function csvText(v: string | null): string {
  if (v === null) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** calibrationModel, flags, format, app, firmware, kind: contiguous in READING_COLUMNS. */
function csvLabels(l: ReadingLabels): string {
  return [l.calibrationModel, l.flags.join(';'), l.format, l.app, l.firmware, l.kind]
    .map(csvText)
    .join(',');
}

/** One reading as a CSV line in csv.ts READING_COLUMNS order, as `readingCsvLine` writes it. */
export class ReadingCsv {
  readonly #times = new IsoTimes();
  readonly #arrivals = new IsoTimes();
  readonly #numbers = new NumberTexts(csvNumber, '');
  #lastLabels: ReadingLabels | null = null;
  #labelsText = '';

  /** `deviceCell` is csvText(deviceId), made once per device by the caller. */
  line(deviceCell: string, row: ReadingRow): string {
    const l = rowLabels(row);
    if (l !== this.#lastLabels) {
      this.#labelsText = csvLabels(l);
      this.#lastLabels = l;
    }
    const n = this.#numbers;
    let text = `${deviceCell},${this.#times.format(row[0])},${n.text(row[2])},${n.text(row[3])},`;
    // The measures, then the calibration: one after the other in the row and in the line.
    for (let at = MEASURES_AT; at < CALIBRATED_AT; at++) text += n.text(rowNumber(row, at)) + ',';
    text += n.text(rowNumber(row, CALIBRATED_AT));
    return `${text},${this.#labelsText},${this.#arrivals.format(row[1])}\r\n`;
  }
}
