import { MEASURES, type RollupMean } from '@airbox/contracts';
import type Database from 'better-sqlite3';
import {
  HOURLY_MEANS,
  READING_COLUMNS,
  type DeadLetterRow,
  type HourlyDbRow,
  type ReadingBinds,
  type ReadingColumns,
} from './rows.ts';
import { LABELS_JSON, type LabelledRow } from './labels.ts';
import { hourlyStem } from './rollup-sql.ts';

// Statement texts are built once, when the module loads, from the MEASURES table.
const COLUMNS = READING_COLUMNS.join(', ');
const PLACEHOLDERS = READING_COLUMNS.map(() => '?').join(', ');
const R_COLUMNS = READING_COLUMNS.map((c) => `r.${c}`).join(', ');
/** The numbers of a ReadingRow (port.ts), in its order. */
const ROW_NUMBERS = [
  'time_ms, received_ms, lat, lon',
  ...MEASURES.map((m) => m.sqliteColumn),
  'pm25_calibrated_ug_m3',
].join(', ');

/** Means divided out here under their HourlyRow field, NULL where no reading had the value. */
function mean(rollup: RollupMean): string {
  const stem = hourlyStem(rollup);
  return `CASE WHEN ${stem}_n > 0 THEN ${stem}_sum / ${stem}_n END AS "${rollup.field}"`;
}
const MEANS = HOURLY_MEANS.map(mean).join(', ');

export interface LatestParams {
  /** JSON array of device ids, or null for every device. */
  ids: string | null;
  kind: string | null;
  sinceMs: number | null;
}

// Per-device statements: each query is one PRIMARY KEY range scan, and the caller loops over
// the device ids, which keeps one prepared statement whatever the number of devices.
function readingStatements(db: Database.Database) {
  return {
    insert: db.prepare<ReadingBinds>(
      `INSERT OR IGNORE INTO readings (${COLUMNS}) VALUES (${PLACEHOLDERS})`,
    ),
    series: db
      .prepare<[string, number, number], ReadingColumns>(
        `SELECT ${COLUMNS} FROM readings
         WHERE device_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms`,
      )
      .raw(true),
    // The columns of a ReadingRow, its labels as one JSON text (see labels.ts): no
    // device_id, which the caller knows, and one JS value per row for seven text columns.
    seriesRows: db
      .prepare<[string, number, number], LabelledRow>(
        `SELECT ${ROW_NUMBERS}, ${LABELS_JSON}
         FROM readings
         WHERE device_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms`,
      )
      .raw(true),
    hourly: db.prepare<[string, number, number], HourlyDbRow>(
      `SELECT device_id, hour_ms, n, ${MEANS} FROM hourly
       WHERE device_id = ? AND hour_ms >= ? AND hour_ms < ? ORDER BY hour_ms`,
    ),
    latest: db
      .prepare<LatestParams, ReadingColumns>(
        `SELECT ${R_COLUMNS} FROM latest l
         JOIN readings r ON r.device_id = l.device_id AND r.time_ms = l.time_ms
         WHERE (@ids IS NULL OR l.device_id IN (SELECT value FROM json_each(@ids)))
           AND (@kind IS NULL OR r.kind = @kind)
           AND (@sinceMs IS NULL OR l.time_ms >= @sinceMs)
         ORDER BY l.device_id`,
      )
      .raw(true),
    // Keyset paging for recalibrate: (device_id, time_ms) is the key, so a chunk is one
    // range scan and the next starts after the last time seen.
    chunk: db
      .prepare<[string, number, number, number], ReadingColumns>(
        `SELECT ${COLUMNS} FROM readings
         WHERE device_id = ? AND time_ms >= ? AND time_ms < ? ORDER BY time_ms LIMIT ?`,
      )
      .raw(true),
    // Only these two columns: the schema's triggers refuse any other (and follow the roll-up).
    setCalibration: db.prepare<[number | null, string, string, number]>(
      `UPDATE readings SET pm25_calibrated_ug_m3 = ?, calibration_model = ?
       WHERE device_id = ? AND time_ms = ?`,
    ),
    // A full count: fine for tests and a /metrics scrape, not for a hot path.
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM readings'),
    devices: db.prepare<[], { device_id: string }>('SELECT device_id FROM latest'),
    pruneDevice: db.prepare<[string, number]>(
      'DELETE FROM readings WHERE device_id = ? AND time_ms < ?',
    ),
    pruneLatest: db.prepare<[number]>('DELETE FROM latest WHERE time_ms < ?'),
  };
}

/**
 * A page of dead letters, newest first: received at or after @sinceMs and listed after the
 * letter (@beforeMs, @beforeId) — the page before's last one — each payload cut to
 * @previewBytes (substr counts bytes in a BLOB) with its whole size beside it.
 */
const DEAD_LETTER_PAGE = {
  columns: `id, received_ms, topic, substr(payload, 1, @previewBytes) AS payload,
    length(payload) AS payload_bytes, client_id, device_id, code, reason`,
  where: 'received_ms >= @sinceMs AND (received_ms, id) < (@beforeMs, @beforeId)',
  order: 'ORDER BY received_ms DESC, id DESC LIMIT @limit',
};

export interface DeadLetterPageParams {
  sinceMs: number;
  beforeMs: number;
  beforeId: number;
  previewBytes: number;
  limit: number;
}

function deadLetterStatements(db: Database.Database) {
  const { columns, where, order } = DEAD_LETTER_PAGE;
  return {
    insert: db.prepare<[number, string, Uint8Array, string | null, string | null, string, string]>(
      `INSERT INTO dead_letters (received_ms, topic, payload, client_id, device_id, code, reason)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    // Ids only grow and only the oldest are ever deleted, so "id <= newest - max" keeps at
    // most `max` rows without counting the table on every insert.
    trim: db.prepare<[number]>('DELETE FROM dead_letters WHERE id <= ?'),
    list: db.prepare<[DeadLetterPageParams], DeadLetterRow>(
      `SELECT ${columns} FROM dead_letters WHERE ${where} ${order}`,
    ),
    listDevice: db.prepare<[DeadLetterPageParams & { deviceId: string }], DeadLetterRow>(
      `SELECT ${columns} FROM dead_letters WHERE device_id = @deviceId AND ${where} ${order}`,
    ),
    receivedMsOf: db.prepare<[number], { received_ms: number }>(
      'SELECT received_ms FROM dead_letters WHERE id = ?',
    ),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM dead_letters'),
  };
}

/** Every statement the store runs, prepared once when it opens. */
export function prepareStatements(db: Database.Database) {
  return { readings: readingStatements(db), deadLetters: deadLetterStatements(db) };
}
export type Statements = ReturnType<typeof prepareStatements>;
