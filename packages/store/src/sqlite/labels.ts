import {
  type FlagCode,
  type FormatId,
  FORMATS,
  isFlagCode,
  type StoredReading,
} from '@airbox/contracts';
import { READING_ROW, type ReadingLabels, type ReadingNumbers, type ReadingRow } from '../port.ts';
import { SqliteStoreError } from './errors.ts';

/**
 * The text columns of a reading as one value: a JSON array built by SQLite (`json_array`
 * escapes every string, so the text parses back to exactly the stored values). One string
 * per row instead of seven is the cheaper read (better-sqlite3 makes a JS value per column;
 * measured 2.5 -> 2.0 ms for one device-day of 1,440 rows, 2 vCPU), and readings of a device
 * mostly repeat the same texts, so each distinct text is parsed and checked only once.
 */
export const LABELS_JSON = `json_array(format, app, firmware, flags, kind, calibration_model, device_time)`;

/**
 * A row of the seriesRows statement: ReadingRow with the labels still as JSON text, until
 * LabelsReader puts the labels in its place.
 */
export type LabelledRow = [...ReadingNumbers, labels: string | ReadingLabels];

/** Flag codes are kebab-case words, so a comma never occurs inside one. */
export const FLAG_SEPARATOR = ',';
const FORMAT_IDS: ReadonlySet<string> = new Set(FORMATS);

export function isFormatId(value: unknown): value is FormatId {
  return typeof value === 'string' && FORMAT_IDS.has(value);
}

export function isKind(value: unknown): value is StoredReading['kind'] {
  return value === 'box' || value === 'reference';
}

/** The stored flag text as codes, or null when it holds a code this version does not know. */
export function flagsFromText(text: string): FlagCode[] | null {
  if (text === '') return [];
  const codes = text.split(FLAG_SEPARATOR);
  const flags = codes.filter(isFlagCode);
  return flags.length === codes.length ? flags : null;
}

export function corruptRow(deviceId: string, timeMs: number, problem: string): SqliteStoreError {
  return new SqliteStoreError(
    'store-corrupt-row',
    `stored reading ${deviceId} @ ${timeMs} ${problem}; the file was edited outside airbox or by newer code`,
  );
}

const textOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** The labels of one LABELS_JSON text, checked rather than cast, like readingFromColumns. */
function parseLabels(json: string, deviceId: string, timeMs: number): ReadingLabels {
  const parsed: unknown = JSON.parse(json);
  const values: unknown[] = Array.isArray(parsed) ? parsed : [];
  const [format, app, firmware, flagText, kind, calibrationModel, deviceTime] = values;
  const bad = (problem: string) => corruptRow(deviceId, timeMs, problem);
  if (!isFormatId(format)) throw bad(`has unknown format ${JSON.stringify(format)}`);
  if (!isKind(kind)) throw bad(`has unknown kind ${JSON.stringify(kind)}`);
  const flags = typeof flagText === 'string' ? flagsFromText(flagText) : null;
  if (flags === null) throw bad(`has unknown flags ${JSON.stringify(flagText)}`);
  if (!(textOrNull(app) && textOrNull(firmware) && textOrNull(calibrationModel))) {
    throw bad(`has a non-text app, firmware or calibration model in ${json}`);
  }
  if (!textOrNull(deviceTime)) throw bad(`has a non-text device time in ${json}`);
  return Object.freeze({
    format,
    app,
    firmware,
    flags: Object.freeze(flags),
    kind,
    calibrationModel,
    deviceTime,
  });
}

/**
 * Turns LabelledRows into ReadingRows, parsing each distinct labels text once. One per
 * call of seriesRows(): its memory ends with the call.
 */
export class LabelsReader {
  readonly #byJson = new Map<string, ReadingLabels>();

  row(deviceId: string, raw: LabelledRow): ReadingRow {
    const at = READING_ROW.labelsAt;
    const json = raw[at];
    if (typeof json === 'string') {
      let labels = this.#byJson.get(json);
      if (labels === undefined) {
        labels = parseLabels(json, deviceId, raw[0]);
        this.#byJson.set(json, labels);
      }
      raw[at] = labels;
    }
    // The row the statement made, its labels text replaced by the labels: no copy per row.
    return raw as ReadingRow;
  }
}
