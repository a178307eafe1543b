import {
  type FlagCode,
  type FormatId,
  FORMATS,
  isFlagCode,
  MEASURES,
  measureRecord,
  rollupRecord,
  type StoredReading,
} from '@airbox/contracts';
import { readDeadLetterCode } from '../dead-letter-code.ts';
import type { DeadLetter, HourlyRow } from '../port.ts';
import { InfluxStoreError } from './errors.ts';
import { HOURLY_MEANS } from './influxql.ts';
import { CALIBRATED_FIELD, flaggedField } from './line-protocol.ts';
import type { QueryRow } from './query-client.ts';

/**
 * Turns InfluxQL rows back into port shapes. The server is outside this process: every
 * value is checked, and a row this adapter could not have written fails loudly (it means
 * someone else writes into the measurement with another schema).
 */

const iso = (ms: number): string => new Date(ms).toISOString();

class RowReader {
  private readonly row: QueryRow;
  private readonly what: string;

  constructor(row: QueryRow, what: string) {
    this.row = row;
    this.what = what;
  }

  /** A column, or a group-by tag of the series (InfluxQL moves those out of the row). */
  private raw(column: string): unknown {
    return this.row.values[column] ?? this.row.tags[column] ?? null;
  }

  private bad(column: string, expected: string): InfluxStoreError {
    const value = JSON.stringify(this.raw(column));
    return new InfluxStoreError(
      'influx-bad-row',
      `${this.what}: column ${column} is ${value}, expected ${expected}`,
    );
  }

  number(column: string): number | null {
    const v = this.raw(column);
    if (v === null || typeof v === 'number') return v;
    throw this.bad(column, 'a number or null');
  }

  string(column: string): string | null {
    const v = this.raw(column);
    if (v === null || typeof v === 'string') return v;
    throw this.bad(column, 'a string or null');
  }

  requiredString(column: string): string {
    const v = this.string(column);
    if (v === null) throw this.bad(column, 'a string');
    return v;
  }

  timeMs(): number {
    const v = this.number('time');
    if (v === null || !Number.isSafeInteger(v)) throw this.bad('time', 'epoch ms');
    return v;
  }

  oneOf<T extends string>(column: string, allowed: readonly T[]): T {
    const v = this.requiredString(column);
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw this.bad(column, `one of ${allowed.join(', ')}`);
    return found;
  }
}

const KINDS = ['box', 'reference'] as const;

export function rowToReading(row: QueryRow): StoredReading {
  const r = new RowReader(row, 'reading row');
  const reading: StoredReading = {
    deviceId: r.requiredString('device_id'),
    time: iso(r.timeMs()),
    receivedAt: r.requiredString('received_at'),
    lat: r.number('lat'),
    lon: r.number('lon'),
    // Each measure under its id (line-protocol.ts, NUMBER_FIELDS), or apart when its flags
    // leave it out of the means (flaggedField); a point written before a measure was added
    // has neither field and reads back as null.
    ...measureRecord(MEASURES, (m) => r.number(m.id) ?? r.number(flaggedField(m))),
    format: r.oneOf<FormatId>('format', FORMATS),
    app: r.string('app'),
    firmware: r.string('firmware'),
    flags: parseFlags(r.string('flags')),
    kind: r.oneOf('kind', KINDS),
    // An absent calibration reads back as null, the shape every store answers with.
    pm25CalibratedUgM3: r.number(CALIBRATED_FIELD),
    calibrationModel: r.string('calibration_model'),
  };
  const deviceTime = r.string('device_time');
  if (deviceTime !== null) reading.deviceTime = deviceTime;
  return reading;
}

/** Flags travel as one comma-separated string field; codes this version does not know are left out. */
function parseFlags(joined: string | null): FlagCode[] {
  if (joined === null || joined === '') return [];
  return joined.split(',').filter(isFlagCode);
}

/** Columns of the hourly InfluxQL query (aliases chosen in influxql.ts). */
export function rowToHourly(row: QueryRow): HourlyRow {
  const r = new RowReader(row, 'hourly row');
  return {
    deviceId: r.requiredString('device_id'),
    hour: iso(r.timeMs()),
    count: r.number('count') ?? 0,
    ...rollupRecord(HOURLY_MEANS, (mean) => r.number(mean.influxField)),
  };
}

/** A dead-letter point; `payloadBytes` and a cut payload only for a preview. */
export function rowToDeadLetter(row: QueryRow, previewBytes?: number): DeadLetter {
  const r = new RowReader(row, 'dead_letter row');
  const payload = Buffer.from(r.string('payload_b64') ?? '', 'base64');
  const letter: DeadLetter = {
    id: r.timeMs(),
    receivedAt: r.requiredString('received_at'),
    topic: r.requiredString('topic'),
    payload: new Uint8Array(
      previewBytes === undefined ? payload : payload.subarray(0, previewBytes),
    ),
    clientId: r.string('client_id'),
    ...readDeadLetterCode(r.requiredString('code'), r.requiredString('reason')),
  };
  if (previewBytes !== undefined) letter.payloadBytes = payload.length;
  const deviceId = r.string('device_id');
  if (deviceId !== null) letter.deviceId = deviceId;
  return letter;
}

export function rowToCount(row: QueryRow | undefined): number {
  if (row === undefined) return 0;
  return new RowReader(row, 'count row').number('count') ?? 0;
}
