import type { StoredReading } from '@airbox/contracts';
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
import type { ResolvedInfluxConfig } from './config.ts';
import { InfluxStoreError } from './errors.ts';
import {
  type Measurements,
  countStatement,
  deadLettersStatement,
  deviceIdsStatement,
  hourlyStatement,
  latestStatement,
  seriesStatement,
} from './influxql.ts';
import { type DeadLetterIds, deadLetterToLine, readingToLine, timeMsOf } from './line-protocol.ts';
import type { WritePipeline } from './pipeline.ts';
import { queryInfluxQl, type QueryTarget } from './query-client.ts';
import { readingRows } from './reading-rows.ts';
import { RecentKeys } from './recent-keys.ts';
import { recalibratePoints } from './recalibrate.ts';
import { rowToCount, rowToDeadLetter, rowToHourly, rowToReading } from './rows.ts';
import type { LineSink } from './sink.ts';
import type { SpillDir, SpillRecord } from './spill.ts';

/** What /metrics and an operator want beyond the port's StoreStats. */
export interface InfluxStoreDetails {
  /** False while the server is unavailable (points go to the spill directory). */
  online: boolean;
  lastError: string | null;
  refusedReadings: number;
  droppedDeadLetters: number;
  acknowledgedPoints: number;
  spillBytes: number;
  corruptSpillLines: number;
}

export interface InfluxStoreParts {
  config: ResolvedInfluxConfig;
  pipeline: WritePipeline;
  spill: SpillDir;
  sink: LineSink;
  target: QueryTarget;
  measurements: Measurements;
  deadLetterIds: DeadLetterIds;
  nowMs: () => number;
  spillStats: { corruptLines: number };
}

const DEFAULT_DEAD_LETTER_LIMIT = 100;

const byDeviceThenTime = (a: StoredReading, b: StoredReading): number =>
  a.deviceId < b.deviceId
    ? -1
    : a.deviceId > b.deviceId
      ? 1
      : Date.parse(a.time) - Date.parse(b.time);

/**
 * The production ReadingStore over InfluxDB 1.x (`/write`) or 2.x/3.x (`/api/v2/write`), read
 * through InfluxQL `/query`. Schema and semantics: README.md in this folder.
 */
export class InfluxStore implements ReadingStore {
  readonly kind = 'influxdb' as const;
  readonly config: ResolvedInfluxConfig;
  private readonly pipeline: WritePipeline;
  private readonly spill: SpillDir;
  private readonly sink: LineSink;
  private readonly target: QueryTarget;
  private readonly measurements: Measurements;
  private readonly deadLetterIds: DeadLetterIds;
  private readonly nowMs: () => number;
  private readonly recent: RecentKeys;
  private readonly spillStats: { corruptLines: number };
  private closed = false;

  /** Use openInfluxStore(); this wires parts that are opened there. */
  constructor(parts: InfluxStoreParts) {
    this.config = parts.config;
    this.pipeline = parts.pipeline;
    this.spill = parts.spill;
    this.sink = parts.sink;
    this.target = parts.target;
    this.measurements = parts.measurements;
    this.deadLetterIds = parts.deadLetterIds;
    this.nowMs = parts.nowMs;
    this.spillStats = parts.spillStats;
    this.recent = new RecentKeys(parts.config.recentKeys);
  }

  /**
   * Resolves when every new reading is acknowledged by the server or fsync'd to the spill
   * directory. `written` counts those (a refused reading is a dead letter, not written);
   * `duplicates` counts keys repeated in the call or written recently (see RecentKeys).
   */
  async write(readings: StoredReading[]): Promise<WriteResult> {
    this.assertOpen('write');
    const records: SpillRecord[] = [];
    const fresh: string[] = [];
    const earlier = new Set<Promise<unknown>>();
    const inCall = new Set<string>();
    for (const reading of readings) {
      const line = readingToLine(reading);
      const key = `${reading.deviceId}\n${timeMsOf(reading.time, reading.deviceId)}`;
      const prior = inCall.has(key) ? null : this.recent.get(key);
      if (inCall.has(key) || prior !== undefined) {
        // A duplicate is only as durable as the write that carries its first copy.
        if (prior) earlier.add(prior);
        continue;
      }
      inCall.add(key);
      fresh.push(key);
      records.push({ kind: 'reading', line });
    }
    const job = this.pipeline.submit(records);
    for (const key of fresh) this.recent.remember(key, job);
    try {
      const written = await job;
      for (const key of fresh) this.recent.settled(key, job);
      await Promise.all(earlier);
      return { written, duplicates: readings.length - records.length };
    } catch (err) {
      for (const key of fresh) this.recent.forget(key, job);
      throw err;
    }
  }

  async latest(query: LatestQuery = {}): Promise<StoredReading[]> {
    this.assertOpen('latest');
    if (query.deviceIds?.length === 0) return [];
    const rows = await this.query(latestStatement(this.measurements, query));
    return rows.map(rowToReading).sort(byDeviceThenTime);
  }

  async series(query: SeriesQuery): Promise<StoredReading[]> {
    this.assertOpen('series');
    if (query.deviceIds.length === 0 || query.fromMs >= query.toMs) return [];
    const rows = await this.query(seriesStatement(this.measurements, query));
    return rows.map(rowToReading).sort(byDeviceThenTime);
  }

  /** See the port; mapped from series() (reading-rows.ts). */
  async seriesRows(query: SeriesQuery): Promise<DeviceRows[]> {
    this.assertOpen('seriesRows');
    return readingRows(await this.series(query));
  }

  async hourly(query: SeriesQuery): Promise<HourlyRow[]> {
    this.assertOpen('hourly');
    if (query.deviceIds.length === 0 || query.fromMs >= query.toMs) return [];
    const rows = await this.query(hourlyStatement(this.measurements, query));
    return rows
      .map(rowToHourly)
      .filter((h) => h.count > 0)
      .sort((a, b) =>
        a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.hour < b.hour ? -1 : 1,
      );
  }

  /**
   * See the port and README.md ("Recalibration"). Refuses to start while readings are
   * spilled: replayed later, they would overwrite the new calibration with the old one.
   */
  async recalibrate(
    query: RecalibrateQuery,
    calibrate: Recalibrator,
    options: RecalibrateOptions = {},
  ): Promise<RecalibrateResult> {
    this.assertOpen('recalibrate');
    const refuse = (message: string) =>
      new InfluxStoreError('influx-invalid-recalibration', message);
    const chunkSize = checkRecalibrateInput(query, options, refuse);
    await this.pipeline.flush();
    if (this.spill.readings > 0) {
      throw new InfluxStoreError(
        'influx-spill-pending',
        `${this.spill.readings} readings wait in ${this.spill.dir} for the server`,
      );
    }
    const ids = query.deviceIds ?? (await this.deviceIds());
    return recalibratePoints({
      query: { deviceIds: sortedUnique(ids), fromMs: query.fromMs, toMs: query.toMs },
      calibrate,
      options,
      chunkSize,
      refuse,
      measurements: this.measurements,
      pipeline: this.pipeline,
      run: (statement) => this.query(statement),
      assertOpen: () => this.assertOpen('recalibrate'),
    });
  }

  private async deviceIds(): Promise<string[]> {
    const rows = await this.query(deviceIdsStatement(this.measurements));
    return rows.map((row) => {
      const id = row.values['value'];
      if (typeof id !== 'string') {
        // VictoriaMetrics answers every /query with a stub list of databases.
        const columns = Object.keys(row.values).join(', ');
        throw new InfluxStoreError(
          'influx-bad-row',
          `SHOW TAG VALUES answered a row of ${columns}, not device_id values; does the server answer InfluxQL?`,
        );
      }
      return id;
    });
  }

  /** Durable like write(): acknowledged, or spilled and replayed later. */
  async addDeadLetter(letter: DeadLetter): Promise<void> {
    this.assertOpen('addDeadLetter');
    const receivedMs = Date.parse(letter.receivedAt);
    const idMs = this.deadLetterIds.next(Number.isFinite(receivedMs) ? receivedMs : this.nowMs());
    await this.pipeline.submit([{ kind: 'dead-letter', line: deadLetterToLine(letter, idMs) }]);
  }

  /** See the port; a preview is cut here, InfluxQL has no function that cuts a string. */
  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    this.assertOpen('deadLetters');
    const limit = query.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (limit <= 0) return [];
    const statement = deadLettersStatement(this.measurements, { ...query, limit });
    return (await this.query(statement)).map((row) => rowToDeadLetter(row, query.previewBytes));
  }

  async countReadings(): Promise<number> {
    this.assertOpen('countReadings');
    return rowToCount((await this.query(countStatement(this.measurements)))[0]);
  }

  stats(): StoreStats {
    const { pendingReadings, droppedReadings, retries } = this.pipeline.counters;
    return { pendingReadings, spilledReadings: this.spill.readings, droppedReadings, retries };
  }

  details(): InfluxStoreDetails {
    const { refusedReadings, droppedDeadLetters, acknowledgedPoints } = this.pipeline.counters;
    return {
      online: this.pipeline.online,
      lastError: this.pipeline.lastError?.message ?? null,
      refusedReadings,
      droppedDeadLetters,
      acknowledgedPoints,
      spillBytes: this.spill.bytes,
      corruptSpillLines: this.spillStats.corruptLines,
    };
  }

  /** Sends or spills what is pending, stops timers and the replay loop. Spill files stay. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pipeline.close();
    await this.sink.close();
    await this.spill.close();
  }

  private query(statement: string) {
    return queryInfluxQl(this.target, statement);
  }

  private assertOpen(what: string): void {
    if (this.closed) throw new InfluxStoreError('influx-store-closed', `${what}() after close()`);
  }
}
