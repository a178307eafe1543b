import {
  MEASURES,
  type DeadLetterCode,
  type FlagCode,
  type FormatId,
  type MeasureNumbers,
  type RollupValues,
  type StoredReading,
} from '@airbox/contracts';

/**
 * The storage port: what the stream worker and the API need from a store, whatever the
 * engine. Two adapters implement it: SQLite (embedded default) and InfluxDB (production).
 *
 * Time base: every time is ISO 8601 UTC on the way in and out; queries take epoch ms.
 * Identity: a reading is keyed by (deviceId, time). Writing the same key again never
 * creates a second reading (the first one stays), so at-least-once delivery + this port
 * = each reading stored exactly once.
 */

export interface WriteResult {
  /** Readings newly stored by this call. */
  written: number;
  /** Readings whose (deviceId, time) was already stored; left unchanged. */
  duplicates: number;
}

export type Aggregation = 'raw' | '1h';

export interface SeriesQuery {
  deviceIds: string[];
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

/**
 * The text fields of a stored reading. They rarely change from one reading of a device to
 * the next, so a store may hand the same (frozen) object to every row whose texts are
 * equal, and a reader may cache what it makes of one by identity.
 */
export interface ReadingLabels {
  readonly format: FormatId;
  readonly app: string | null;
  readonly firmware: string | null;
  readonly flags: readonly FlagCode[];
  readonly kind: StoredReading['kind'];
  readonly calibrationModel: string | null;
  /** Set only when the device clock was not trusted (see StoredReading); else null. */
  readonly deviceTime: string | null;
}

/**
 * One stored reading as an array, for readers that turn many readings into text (the API's
 * raw series as JSON or CSV) without building an object and two ISO strings per reading.
 * It carries what `series()` returns, nothing more: times as epoch ms (Date#toISOString
 * gives the port's ISO form), an absent calibration as null.
 */
export type ReadingRow = readonly [...ReadingNumbers, labels: ReadingLabels];

/**
 * The numbers of a ReadingRow, in its order (shared with the SQLite row it is read from):
 * the measures in MEASURES order, from READING_ROW.measuresAt.
 */
export type ReadingNumbers = readonly [
  timeMs: number,
  receivedMs: number,
  lat: number | null,
  lon: number | null,
  ...measures: MeasureNumbers,
  pm25CalibratedUgM3: number | null,
];

/** Where the parts of a ReadingRow stand; MEASURES decides how many measures there are. */
export const READING_ROW = {
  measuresAt: 4,
  calibratedAt: 4 + MEASURES.length,
  labelsAt: 5 + MEASURES.length,
};

/**
 * A number of a row at a position READING_ROW names (a measure or the calibration). Typed
 * positions past the measures need this: TypeScript cannot count the measures.
 */
export function rowNumber(row: ReadingRow, at: number): number | null {
  const value = row[at];
  return typeof value === 'number' ? value : null;
}

/** The labels of a row: its last element. */
export function rowLabels(row: ReadingRow): ReadingLabels {
  const labels = row[READING_ROW.labelsAt];
  if (typeof labels !== 'object' || labels === null) {
    throw new TypeError(`a ReadingRow holds its labels at ${READING_ROW.labelsAt}`);
  }
  return labels;
}

/** The rows of one device, ordered by time. */
export interface DeviceRows {
  deviceId: string;
  rows: ReadingRow[];
}

/**
 * One device-hour of the incremental roll-up; means over the readings that had the value,
 * one per roll-up mean (rollupMeans of MEASURES), keys in that order after `count`.
 */
export interface HourlyRow extends RollupValues {
  deviceId: string;
  /** Start of the UTC hour, ISO 8601. */
  hour: string;
  count: number;
}

/** A message the worker could not turn into stored readings, kept with the reason. */
export interface DeadLetter {
  /** Assigned by the store. */
  id?: number;
  receivedAt: string;
  topic: string;
  /** The raw payload bytes, unchanged; only the first ones when listed with `previewBytes`. */
  payload: Uint8Array;
  /** The whole payload's size; set when listed with `previewBytes` (`payload` may be shorter). */
  payloadBytes?: number;
  /** MQTT client id of the publisher, where known. */
  clientId: string | null;
  /**
   * The box the letter belongs to, whose owner may read it: the publisher's login for a
   * PUBLISH the broker refused, the device the topic or payload names for one the worker could
   * not store (the broker lets a box publish only as itself). Unset or null: operators only.
   */
  deviceId?: string | null;
  /** Stable code from the closed table (DEAD_LETTER_CODES); read back with readDeadLetterCode. */
  code: DeadLetterCode;
  /** Human-readable: names the input and the problem. */
  reason: string;
}

/** Which dead letters `deadLetters` lists: a page of the newest, one box's or everyone's. */
export interface DeadLetterQuery {
  /** At most this many; default 100. */
  limit?: number;
  /** Only letters received at or after this time (epoch ms). */
  sinceMs?: number;
  /** The id of the last letter of the page before: only the letters listed after it. */
  beforeId?: number;
  /** Only the letters of this box (DeadLetter.deviceId). */
  deviceId?: string;
  /** Cuts each payload to its first N bytes, and sets payloadBytes to its whole size. */
  previewBytes?: number;
}

export interface LatestQuery {
  deviceIds?: string[];
  kind?: 'box' | 'reference';
  /** Only devices seen at or after this time (epoch ms). */
  sinceMs?: number;
}

/** Gauges for /metrics: every buffer has a bound and reports its size. */
export interface StoreStats {
  /** Readings accepted by write() but not yet durable in the engine. */
  pendingReadings: number;
  /** Readings parked on local disk while the engine is unreachable (InfluxDB). */
  spilledReadings: number;
  /** Readings dropped because a bound was reached (should stay 0). */
  droppedReadings: number;
  /** Write attempts that failed and were retried. */
  retries: number;
}

/** What a model makes of one stored reading in `recalibrate`. */
export interface Recalibration {
  /** The new calibrated PM2.5 (µg/m³), or null when the model cannot calibrate this reading. */
  value: number | null;
  /** Id of the model that produced `value`, stored beside it (e.g. `epa-barkjohn-2021@1`). */
  model: string;
}

/**
 * Called once per stored box reading, in device then time order; null leaves the reading
 * as it is. Synchronous on purpose: a chunk is rewritten in one transaction.
 */
export type Recalibrator = (reading: StoredReading) => Recalibration | null;

/** The readings `recalibrate` goes through: [from, to) of the devices, or of every device. */
export interface RecalibrateQuery {
  /** Omitted: every device in the store. */
  deviceIds?: string[];
  /** Inclusive, epoch ms. */
  fromMs: number;
  /** Exclusive, epoch ms. */
  toMs: number;
}

export interface RecalibrateResult {
  /** Readings whose calibrated value or model was rewritten. */
  updated: number;
  /** Readings the recalibrator left alone (null), or that already had that value and model. */
  unchanged: number;
  /** Reference-station readings: the truth calibration aims at, never recalibrated. */
  references: number;
  /**
   * InfluxDB only: the model gave no value, but the stored point has one and InfluxDB cannot
   * remove a field from a point. Left as they were (old value with its old model), never
   * half-rewritten.
   */
  notCleared: number;
}

export interface RecalibrateOptions {
  /** Readings per chunk: read, recalibrated and rewritten before the next is read. */
  chunkSize?: number;
  /** Told after every chunk that had readings, with the totals so far and its device. */
  onProgress?: (progress: RecalibrateResult & { deviceId: string }) => void;
}

export interface ReadingStore {
  readonly kind: 'sqlite' | 'influxdb';
  /**
   * Stores readings. Resolves once they are durable (SQLite: committed; InfluxDB:
   * acknowledged by the server, or spilled to local disk for replay). Rejects only when
   * they could be neither, so the caller must not acknowledge the message.
   */
  write(readings: StoredReading[]): Promise<WriteResult>;
  /** The newest reading of each device. */
  latest(query?: LatestQuery): Promise<StoredReading[]>;
  /** Raw readings of the devices in [from, to), ordered by device, then time. */
  series(query: SeriesQuery): Promise<StoredReading[]>;
  /**
   * The readings `series()` returns, as rows: one entry per device that has readings in
   * [from, to), by device id (byte order), each device's rows by time.
   */
  seriesRows(query: SeriesQuery): Promise<DeviceRows[]>;
  /** The hourly roll-up of the devices, hours starting in [from, to), by device and hour. */
  hourly(query: SeriesQuery): Promise<HourlyRow[]>;
  addDeadLetter(letter: DeadLetter): Promise<void>;
  /**
   * Newest first (by receive time, then by id). A page ends with the letter whose id the
   * next page takes as `beforeId`.
   */
  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  /**
   * Rewrites the calibrated PM2.5 and its model id of the box readings in range, chunk by
   * chunk (memory stays bounded whatever the range), and nothing else: raw values,
   * receivedAt, flags and the reading count stay; the hourly roll-up follows. Each chunk is
   * durable before the next is read, so an interrupted run leaves whole chunks rewritten
   * and running it again finishes the job (unchanged readings are not written twice).
   */
  recalibrate(
    query: RecalibrateQuery,
    calibrate: Recalibrator,
    options?: RecalibrateOptions,
  ): Promise<RecalibrateResult>;
  /** How many readings are stored (tests, benchmarks, /metrics). */
  countReadings(): Promise<number>;
  stats(): StoreStats;
  /** Flushes what is pending and releases the engine. */
  close(): Promise<void>;
}

export type { FlagCode };
