import {
  MEASURES,
  valueExcluded,
  type MeasureField,
  type MeasureSpec,
  type StoredReading,
} from '@airbox/contracts';
import type { DeadLetter } from '../port.ts';
import { InfluxStoreError } from './errors.ts';

/**
 * The one serializer of both write paths (v1 `/write`, v2 WriteApi) and of the spill files.
 *
 * Schema (README.md): measurement `reading`, tags `device_id`, `format`, `kind` (low
 * cardinality only, sorted by key as InfluxDB prefers), one field per measure, time in ms.
 * InfluxDB keys a point by (measurement, tag set, time): writing the same reading again
 * overwrites it with the same values, so replays and redeliveries are idempotent.
 */
export const READING_MEASUREMENT = 'reading';
export const DEAD_LETTER_MEASUREMENT = 'dead_letter';

/** A number of a stored reading, written as an InfluxDB float field. */
export type NumberProperty = MeasureField | 'lat' | 'lon' | 'pm25CalibratedUgM3';

/** The InfluxDB field of the calibrated PM2.5 (not a measure: see CALIBRATED). */
export const CALIBRATED_FIELD = 'pm25_calibrated';

/**
 * InfluxDB float field → port property: every measure under its id (pm1, pm25 …, the
 * fields stored since the first release), then the position and the calibration.
 */
export const NUMBER_FIELDS: Readonly<Record<string, NumberProperty>> = {
  ...Object.fromEntries(MEASURES.map((m) => [m.id, m.field])),
  lat: 'lat',
  lon: 'lon',
  [CALIBRATED_FIELD]: 'pm25CalibratedUgM3',
};
const NUMBER_ENTRIES = Object.entries(NUMBER_FIELDS);
const MEASURE_BY_FIELD: ReadonlyMap<string, MeasureSpec> = new Map(MEASURES.map((m) => [m.id, m]));

/**
 * The float field of a measure's value that its flags leave out of the means (flags.ts,
 * valueExcluded: `pm25-out-of-range`): `pm25_flagged`. Apart from `pm25`, so that the
 * hourly MEAN("pm25") never sees it (InfluxQL cannot filter one field of a MEAN by another
 * field); series read it back in the measure's place (rows.ts), unchanged. Points written
 * before this rule keep such a value in `pm25`, and in the mean.
 */
export function flaggedField(measure: Pick<MeasureSpec, 'id'>): string {
  return `${measure.id}_flagged`;
}

/** The number fields of a reading: each measure under its id, or flaggedField when left out. */
function numberFields(r: StoredReading): [string, FieldValue][] {
  return NUMBER_ENTRIES.map(([field, prop]) => {
    const measure = MEASURE_BY_FIELD.get(field);
    const excluded = measure !== undefined && valueExcluded(measure, r.flags);
    return [excluded ? flaggedField(measure) : field, r[prop]];
  });
}

// Line protocol reference: https://docs.influxdata.com/influxdb/v1/write_protocols/line_protocol_reference/
const escapeMeasurement = (s: string): string => s.replace(/[, ]/g, '\\$&');
const escapeTag = (s: string): string => s.replace(/[,= ]/g, '\\$&');
const quoteString = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

/** Fields of a point; null/undefined/non-finite values are left out (InfluxDB has no null). */
type FieldValue = number | string | null | undefined;

function formatPoint(
  measurement: string,
  tags: [string, string][],
  fields: [string, FieldValue][],
  timeMs: number,
): string {
  const tagPart = tags.map(([k, v]) => `,${escapeTag(k)}=${escapeTag(v)}`).join('');
  const fieldPart = fields
    .filter(([, v]) => (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string'))
    // A JS number is written without the `i` suffix, so every numeric field is a float.
    .map(
      ([k, v]) => `${escapeTag(k)}=${typeof v === 'number' ? String(v) : quoteString(v as string)}`,
    )
    .join(',');
  return `${escapeMeasurement(measurement)}${tagPart} ${fieldPart} ${timeMs}`;
}

function checkTag(name: string, value: string, what: string): string {
  // Line protocol cannot carry an empty tag value or a newline in one.
  if (value.length === 0 || /[\r\n]/.test(value)) {
    throw new InfluxStoreError(
      'influx-invalid-reading',
      `${what}: ${name} ${JSON.stringify(value)} cannot be an InfluxDB tag`,
    );
  }
  return value;
}

/** Epoch ms of an ISO time, or an error naming the reading. */
export function timeMsOf(time: string, what: string): number {
  const ms = Date.parse(time);
  if (!Number.isFinite(ms)) {
    throw new InfluxStoreError(
      'influx-invalid-reading',
      `${what}: time ${JSON.stringify(time)} is not an ISO 8601 time`,
    );
  }
  return ms;
}

const describe = (r: StoredReading): string =>
  `reading of ${JSON.stringify(r.deviceId)} at ${JSON.stringify(r.time)}`;

/** The tag set, which with the time is the point's key. */
function readingTags(r: StoredReading, what: string): [string, string][] {
  return [
    ['device_id', checkTag('deviceId', r.deviceId, what)],
    ['format', checkTag('format', r.format, what)],
    ['kind', checkTag('kind', r.kind, what)],
  ];
}

export function readingToLine(r: StoredReading): string {
  const what = describe(r);
  return formatPoint(
    READING_MEASUREMENT,
    readingTags(r, what),
    [
      ...numberFields(r),
      ['calibration_model', r.calibrationModel],
      ['flags', r.flags.join(',')],
      ['app', r.app],
      ['firmware', r.firmware],
      ['received_at', r.receivedAt],
      ['device_time', r.deviceTime],
    ],
    timeMsOf(r.time, what),
  );
}

/**
 * Rewrites the calibration of a stored reading: same tags and time, so InfluxDB replaces
 * these two fields of that point and keeps every other (raw) field as it was. A null value
 * writes no pm25_calibrated field, which leaves a stored one in place — the caller must not
 * send that (see recalibrate.ts); the model field is always there, so the line has a field.
 */
export function calibrationToLine(r: StoredReading, valueUgM3: number | null, model: string) {
  const what = describe(r);
  return formatPoint(
    READING_MEASUREMENT,
    readingTags(r, what),
    [
      [CALIBRATED_FIELD, valueUgM3],
      ['calibration_model', model],
    ],
    timeMsOf(r.time, what),
  );
}

/**
 * A dead letter is keyed by its id, which is its time in ms: `code` is its only tag, so two
 * letters of one code in the same millisecond would overwrite each other. The caller
 * makes ids unique (see DeadLetterIds).
 */
export function deadLetterToLine(letter: DeadLetter, idMs: number): string {
  const what = `dead letter of topic ${JSON.stringify(letter.topic)}`;
  return formatPoint(
    DEAD_LETTER_MEASUREMENT,
    [['code', checkTag('code', letter.code, what)]],
    [
      ['topic', letter.topic],
      ['payload_b64', Buffer.from(letter.payload).toString('base64')],
      ['client_id', letter.clientId],
      ['device_id', letter.deviceId ?? null],
      ['reason', letter.reason],
      ['received_at', letter.receivedAt],
    ],
    idMs,
  );
}

/**
 * Hands out dead-letter ids: the receive time in ms, moved on by a millisecond while that
 * id was already handed out, so a burst within one millisecond keeps every letter and the
 * order by id stays the order by receive time. Unique within one store instance; the
 * memory of used ids is bounded.
 */
export class DeadLetterIds {
  private readonly used = new Set<number>();
  private readonly remember: number;

  constructor(remember = 10_000) {
    this.remember = remember;
  }

  next(receivedMs: number): number {
    let id = Math.floor(receivedMs);
    while (this.used.has(id)) id++;
    this.used.add(id);
    if (this.used.size > this.remember) {
      const oldest = this.used.values().next();
      if (oldest.done !== true) this.used.delete(oldest.value);
    }
    return id;
  }
}
