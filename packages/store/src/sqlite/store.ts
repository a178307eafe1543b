import type { StoredReading } from '@airbox/contracts';
import type Database from 'better-sqlite3';
import type {
  DeadLetter,
  DeadLetterQuery,
  DeviceRows,
  HourlyRow,
  LatestQuery,
  ReadingStore,
  RecalibrateOptions,
  RecalibrateQuery,
  RecalibrateResult,
  Recalibrator,
  SeriesQuery,
  StoreStats,
  WriteResult,
} from '../port.ts';
import { checkRecalibrateInput, sortedUnique } from '../recalibration.ts';
import { SqliteStoreError } from './errors.ts';
import { IN_MEMORY, openDatabase, type SynchronousMode } from './open.ts';
import {
  deadLetterFromRow,
  hourlyFromRow,
  isoToMs,
  readingFromColumns,
  readingColumns,
} from './rows.ts';
import { LabelsReader } from './labels.ts';
import { writeWithoutBlocking } from './lock-wait.ts';
import { recalibrateReadings } from './recalibrate.ts';
import { prepareStatements, type Statements } from './statements.ts';

const DAY_MS = 86_400_000;
const PRUNE_INTERVAL_MS = 3_600_000;
export const DEFAULT_MAX_DEAD_LETTERS = 100_000;
const DEFAULT_DEAD_LETTER_LIMIT = 100;
/** substr() length that keeps a whole BLOB: SQLite's largest (SQLITE_MAX_LENGTH ≤ 2^31 - 1). */
const WHOLE_BLOB_BYTES = 2_147_483_647;

export interface SqliteStoreOptions {
  /** A file path (missing folders are created) or ':memory:' for tests. */
  path: string;
  /** Delete raw readings older than this many days; unset keeps them forever. */
  retentionDays?: number;
  /** Injected clock (epoch ms) for retention; defaults to Date.now. */
  now?: () => number;
  /** Bound of the dead-letter table; the oldest beyond it are deleted. */
  maxDeadLetters?: number;
  /** 'normal' (default, see open.ts for why) or 'full' to fsync every commit. */
  synchronous?: SynchronousMode;
}

function checkOptions(options: SqliteStoreOptions): void {
  const { retentionDays, maxDeadLetters } = options;
  if (retentionDays !== undefined && !(Number.isFinite(retentionDays) && retentionDays > 0)) {
    throw new SqliteStoreError(
      'store-invalid-option',
      `retentionDays ${retentionDays} is not a positive number of days; leave it unset to keep readings forever`,
    );
  }
  if (maxDeadLetters !== undefined && !(Number.isInteger(maxDeadLetters) && maxDeadLetters > 0)) {
    throw new SqliteStoreError(
      'store-invalid-option',
      `maxDeadLetters ${maxDeadLetters} is not a positive integer`,
    );
  }
}

/**
 * The embedded default adapter. better-sqlite3 is synchronous, so every method has finished
 * (and write() has committed) when its promise settles; nothing is ever pending.
 */
export class SqliteStore implements ReadingStore {
  readonly kind = 'sqlite';
  readonly path: string;
  readonly retentionDays: number | null;
  readonly maxDeadLetters: number;
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #now: () => number;
  readonly #insertMany: Database.Transaction<(readings: StoredReading[]) => WriteResult>;
  #closed = false;
  #lastPruneMs = Number.NEGATIVE_INFINITY;
  #evictedDeadLetters = 0;

  constructor(options: SqliteStoreOptions) {
    checkOptions(options);
    this.path = options.path;
    this.retentionDays = options.retentionDays ?? null;
    this.maxDeadLetters = options.maxDeadLetters ?? DEFAULT_MAX_DEAD_LETTERS;
    this.#now = options.now ?? Date.now;
    this.#db = openDatabase(options.path, options.synchronous ?? 'normal');
    this.#sql = prepareStatements(this.#db);
    const insert = this.#sql.readings.insert;
    // One transaction per call: one commit (one WAL append) for the whole batch.
    this.#insertMany = this.#db.transaction((readings: StoredReading[]): WriteResult => {
      let written = 0;
      for (const reading of readings) written += insert.run(...readingColumns(reading)).changes;
      return { written, duplicates: readings.length - written };
    });
  }

  #assertOpen(method: string): void {
    if (this.#closed) {
      const where =
        this.path === IN_MEMORY ? 'in-memory SQLite store' : `SQLite store ${this.path}`;
      throw new SqliteStoreError(
        'store-closed',
        `${method}() called after close() of the ${where}; open a new store`,
      );
    }
  }

  async write(readings: StoredReading[]): Promise<WriteResult> {
    this.#assertOpen('write');
    // Pruning before the insert: if it fails, nothing was written and the rejection is true.
    this.#pruneIfDue();
    // The write lock first (IMMEDIATE), waited for on timers while another process holds it.
    return writeWithoutBlocking(this.#db, () => this.#insertMany.immediate(readings));
  }

  async latest(query: LatestQuery = {}): Promise<StoredReading[]> {
    this.#assertOpen('latest');
    if (query.deviceIds?.length === 0) return [];
    const rows = this.#sql.readings.latest.all({
      ids: query.deviceIds === undefined ? null : JSON.stringify(query.deviceIds),
      kind: query.kind ?? null,
      sinceMs: query.sinceMs ?? null,
    });
    return rows.map(readingFromColumns);
  }

  async series(query: SeriesQuery): Promise<StoredReading[]> {
    this.#assertOpen('series');
    const { series } = this.#sql.readings;
    return sortedUnique(query.deviceIds).flatMap((id) =>
      series.all(id, query.fromMs, query.toMs).map(readingFromColumns),
    );
  }

  /** See the port: the same range scans as series(), without an object per reading. */
  async seriesRows(query: SeriesQuery): Promise<DeviceRows[]> {
    this.#assertOpen('seriesRows');
    const { seriesRows } = this.#sql.readings;
    const labels = new LabelsReader();
    const out: DeviceRows[] = [];
    for (const deviceId of sortedUnique(query.deviceIds)) {
      const raw = seriesRows.all(deviceId, query.fromMs, query.toMs);
      if (raw.length > 0) out.push({ deviceId, rows: raw.map((r) => labels.row(deviceId, r)) });
    }
    return out;
  }

  async hourly(query: SeriesQuery): Promise<HourlyRow[]> {
    this.#assertOpen('hourly');
    const { hourly } = this.#sql.readings;
    return sortedUnique(query.deviceIds).flatMap((id) =>
      hourly.all(id, query.fromMs, query.toMs).map(hourlyFromRow),
    );
  }

  /** See the port. The roll-up follows through a trigger (schema.ts, v2). */
  async recalibrate(
    query: RecalibrateQuery,
    calibrate: Recalibrator,
    options: RecalibrateOptions = {},
  ): Promise<RecalibrateResult> {
    this.#assertOpen('recalibrate');
    const refuse = (message: string) =>
      new SqliteStoreError('store-invalid-recalibration', message);
    const chunkSize = checkRecalibrateInput(query, options, refuse);
    const ids = query.deviceIds ?? this.#sql.readings.devices.all().map((d) => d.device_id);
    return recalibrateReadings({
      db: this.#db,
      sql: this.#sql.readings,
      query: { deviceIds: sortedUnique(ids), fromMs: query.fromMs, toMs: query.toMs },
      calibrate,
      options,
      chunkSize,
      refuse,
      assertOpen: () => this.#assertOpen('recalibrate'),
    });
  }

  async addDeadLetter(letter: DeadLetter): Promise<void> {
    this.#assertOpen('addDeadLetter');
    const { insert, trim } = this.#sql.deadLetters;
    const receivedMs = isoToMs(letter.receivedAt, `receivedAt of a dead letter on ${letter.topic}`);
    this.#db.transaction(() => {
      const { lastInsertRowid } = insert.run(
        receivedMs,
        letter.topic,
        letter.payload,
        letter.clientId,
        letter.deviceId ?? null,
        letter.code,
        letter.reason,
      );
      this.#evictedDeadLetters += trim.run(Number(lastInsertRowid) - this.maxDeadLetters).changes;
    })();
  }

  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    this.#assertOpen('deadLetters');
    const { list, listDevice, receivedMsOf } = this.#sql.deadLetters;
    let before = { beforeMs: Number.MAX_SAFE_INTEGER, beforeId: Number.MAX_SAFE_INTEGER };
    if (query.beforeId !== undefined) {
      const cursor = receivedMsOf.get(query.beforeId);
      // Evicted by maxDeadLetters: so is every older letter, and the listing has ended.
      if (cursor === undefined) return [];
      before = { beforeMs: cursor.received_ms, beforeId: query.beforeId };
    }
    const params = {
      sinceMs: query.sinceMs ?? Number.MIN_SAFE_INTEGER,
      ...before,
      previewBytes: query.previewBytes ?? WHOLE_BLOB_BYTES,
      // SQLite reads a negative LIMIT as "no limit"; a caller asking for less than 0 gets 0.
      limit: Math.max(0, query.limit ?? DEFAULT_DEAD_LETTER_LIMIT),
    };
    const rows =
      query.deviceId === undefined
        ? list.all(params)
        : listDevice.all({ ...params, deviceId: query.deviceId });
    return rows.map((row) => deadLetterFromRow(row, query.previewBytes !== undefined));
  }

  /** Dead letters stored now (at most maxDeadLetters). */
  deadLetterCount(): number {
    this.#assertOpen('deadLetterCount');
    return this.#sql.deadLetters.count.get()?.n ?? 0;
  }

  /** Dead letters deleted by the maxDeadLetters bound since this store was opened. */
  get evictedDeadLetters(): number {
    return this.#evictedDeadLetters;
  }

  async countReadings(): Promise<number> {
    this.#assertOpen('countReadings');
    return this.#sql.readings.count.get()?.n ?? 0;
  }

  stats(): StoreStats {
    // Writes are synchronous and committed before write() resolves: no buffer, no retries.
    return { pendingReadings: 0, spilledReadings: 0, droppedReadings: 0, retries: 0 };
  }

  /**
   * Deletes raw readings older than retentionDays before now(); returns how many. The
   * hourly roll-up is kept (one small row per device-hour), so history stays chartable.
   * Runs per device over the primary key, so no time index has to slow every insert.
   */
  prune(): number {
    this.#assertOpen('prune');
    const nowMs = this.#now();
    this.#lastPruneMs = nowMs;
    if (this.retentionDays === null) return 0;
    const cutoffMs = nowMs - this.retentionDays * DAY_MS;
    const { devices, pruneDevice, pruneLatest } = this.#sql.readings;
    return this.#db.transaction(() => {
      let deleted = 0;
      for (const { device_id } of devices.all()) {
        deleted += pruneDevice.run(device_id, cutoffMs).changes;
      }
      // A device whose newest reading is gone has no readings left: drop it from latest.
      pruneLatest.run(cutoffMs);
      return deleted;
    })();
  }

  // Write-driven rather than a timer: a store that receives no writes does not grow.
  #pruneIfDue(): void {
    if (this.retentionDays === null) return;
    if (this.#now() - this.#lastPruneMs >= PRUNE_INTERVAL_MS) this.prune();
  }

  /** Closes the database (checkpointing the WAL). Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

/** Opens the store synchronously; throws a SqliteStoreError naming the path on failure. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
