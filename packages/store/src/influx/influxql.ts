import { MEASURES, rollupMeans, type RollupField } from '@airbox/contracts';
import type { LatestQuery, SeriesQuery } from '../port.ts';
import { CALIBRATED_FIELD, DEAD_LETTER_MEASUREMENT, READING_MEASUREMENT } from './line-protocol.ts';
import { quoteIdentifier, quoteLiteral } from './query-client.ts';

/**
 * InfluxQL statements for the read side of the port. Every time bound is an epoch-ms
 * literal (`…ms`); group-by tags come back as series tags (see rows.ts).
 * Reference: https://docs.influxdata.com/influxdb/v1/query_language/explore-data/
 */

const HOUR_MS = 3_600_000;
// InfluxDB times are int64 ns: about ±292 years around 1970. Wider bounds are clamped.
const MAX_TIME_MS = 9_223_372_036_000;
const clampMs = (ms: number): number =>
  Math.max(-MAX_TIME_MS, Math.min(MAX_TIME_MS, Math.trunc(ms)));
const timeLiteral = (ms: number): string => `${clampMs(ms)}ms`;

/** `FROM` target: the retention policy, when one is configured, qualifies the measurement. */
export class Measurements {
  private readonly database: string;
  private readonly retentionPolicy: string | undefined;

  constructor(database: string, retentionPolicy: string | undefined) {
    this.database = database;
    this.retentionPolicy = retentionPolicy;
  }

  from(measurement: string): string {
    const m = quoteIdentifier(measurement);
    if (this.retentionPolicy === undefined) return m;
    return `${quoteIdentifier(this.database)}.${quoteIdentifier(this.retentionPolicy)}.${m}`;
  }
}

function deviceCondition(deviceIds: readonly string[]): string {
  return `(${deviceIds.map((id) => `"device_id" = ${quoteLiteral(id)}`).join(' OR ')})`;
}

const where = (conditions: string[]): string =>
  conditions.length === 0 ? '' : ` WHERE ${conditions.join(' AND ')}`;

/** Whole rows (not per-field LAST()s, which mix values of different times). */
export function latestStatement(m: Measurements, q: LatestQuery): string {
  const conditions: string[] = [];
  if (q.deviceIds !== undefined) conditions.push(deviceCondition(q.deviceIds));
  if (q.kind !== undefined) conditions.push(`"kind" = ${quoteLiteral(q.kind)}`);
  if (q.sinceMs !== undefined) conditions.push(`time >= ${timeLiteral(q.sinceMs)}`);
  return `SELECT * FROM ${m.from(READING_MEASUREMENT)}${where(conditions)} GROUP BY "device_id" ORDER BY time DESC LIMIT 1`;
}

export function seriesStatement(m: Measurements, q: SeriesQuery): string {
  const conditions = [
    deviceCondition(q.deviceIds),
    `time >= ${timeLiteral(q.fromMs)}`,
    `time < ${timeLiteral(q.toMs)}`,
  ];
  return `SELECT * FROM ${m.from(READING_MEASUREMENT)}${where(conditions)} GROUP BY "device_id" ORDER BY time ASC`;
}

/** One chunk of one device for recalibrate: at most `limit` points from `fromMs` on. */
export function recalibrateChunkStatement(
  m: Measurements,
  q: { deviceId: string; fromMs: number; toMs: number; limit: number },
): string {
  const conditions = [
    deviceCondition([q.deviceId]),
    `time >= ${timeLiteral(q.fromMs)}`,
    `time < ${timeLiteral(q.toMs)}`,
  ];
  const limit = Math.max(1, Math.trunc(q.limit));
  return `SELECT * FROM ${m.from(READING_MEASUREMENT)}${where(conditions)} GROUP BY "device_id" ORDER BY time ASC LIMIT ${limit}`;
}

/** Every device id the measurement has seen (rows of columns `key`, `value`). */
export function deviceIdsStatement(m: Measurements): string {
  return `SHOW TAG VALUES FROM ${m.from(READING_MEASUREMENT)} WITH KEY = "device_id"`;
}

/**
 * The hourly means in roll-up column order: the InfluxDB field each averages, which is also
 * its alias in the answer, and the HourlyRow field rowToHourly reads it back into.
 */
export const HOURLY_MEANS: readonly { influxField: string; field: RollupField }[] = rollupMeans(
  MEASURES,
).map((mean) => ({ influxField: mean.measure?.id ?? CALIBRATED_FIELD, field: mean.field }));

/**
 * The port asks for hours *starting* in [from, to): whole hours from the first boundary at
 * or after `from` to the first boundary at or after `to`. MEAN skips points without the
 * field (means over the readings that had the value); COUNT of received_at, which every
 * reading carries, counts readings. fill(none) leaves out hours without readings.
 */
export function hourlyStatement(m: Measurements, q: SeriesQuery): string {
  const fromMs = Math.ceil(q.fromMs / HOUR_MS) * HOUR_MS;
  const toMs = Math.ceil(q.toMs / HOUR_MS) * HOUR_MS;
  const select = [
    'COUNT("received_at") AS "count"',
    ...HOURLY_MEANS.map(
      ({ influxField: f }) => `MEAN(${quoteIdentifier(f)}) AS ${quoteIdentifier(f)}`,
    ),
  ].join(', ');
  const conditions = [
    deviceCondition(q.deviceIds),
    `time >= ${timeLiteral(fromMs)}`,
    `time < ${timeLiteral(toMs)}`,
  ];
  return `SELECT ${select} FROM ${m.from(READING_MEASUREMENT)}${where(conditions)} GROUP BY time(1h), "device_id" fill(none)`;
}

/** A page of dead letters, newest first; `beforeId` is a letter's id, its time in ms. */
export function deadLettersStatement(
  m: Measurements,
  q: { limit: number; sinceMs?: number; beforeId?: number; deviceId?: string },
): string {
  const conditions: string[] = [];
  if (q.sinceMs !== undefined) conditions.push(`time >= ${timeLiteral(q.sinceMs)}`);
  if (q.beforeId !== undefined) conditions.push(`time < ${timeLiteral(q.beforeId)}`);
  // A field of the dead-letter points, not a tag: who publishes decides its values, and a
  // tag's every value would be a series of its own.
  if (q.deviceId !== undefined) conditions.push(`"device_id" = ${quoteLiteral(q.deviceId)}`);
  const limit = Math.max(0, Math.trunc(q.limit));
  return `SELECT * FROM ${m.from(DEAD_LETTER_MEASUREMENT)}${where(conditions)} ORDER BY time DESC LIMIT ${limit}`;
}

export function countStatement(m: Measurements): string {
  return `SELECT COUNT("received_at") AS "count" FROM ${m.from(READING_MEASUREMENT)}`;
}
