import type { BackoffOptions } from './backoff.ts';
import { InfluxStoreError } from './errors.ts';
import {
  Job,
  type InfluxLogger,
  type Item,
  type PipelineCounters,
  type Settlement,
} from './jobs.ts';
import { ReplayLoop } from './replay.ts';
import type { LineSink } from './sink.ts';
import type { SpillDir, SpillRecord } from './spill.ts';

export type { InfluxLogger, PipelineCounters } from './jobs.ts';

export interface PipelineOptions extends BackoffOptions {
  batchSize: number;
  flushIntervalMs: number;
  concurrency: number;
  maxBufferedReadings: number;
  random: () => number;
  logger: InfluxLogger;
  /** The dead-letter line that replaces a reading line the server refused. */
  deadLetterFor: (readingLine: string, error: InfluxStoreError) => string;
}

/**
 * The write path (stages: queue → batch → send → [bisect refused] → [spill] … replay).
 *
 * - In memory at most maxBufferedReadings readings wait; beyond that new ones go straight
 *   to the spill directory (overflow policy: spill, never drop). Only when the spill
 *   directory is full or failing does a write() reject (counted in droppedReadings), so the
 *   caller leaves its message unacknowledged and the broker redelivers it.
 * - A batch the server refuses (4xx) is split in halves until the refused point stands
 *   alone; it becomes a dead letter. No refused point is ever retried.
 * - A batch the server cannot take (down, 5xx) is spilled, and later batches go straight
 *   to disk until a replay succeeds: while the server is down write() costs one fsync.
 * - One replay loop sends the spill files oldest first with capped, jittered exponential
 *   back-off, deleting a file once all its points are acknowledged.
 */
export class WritePipeline {
  readonly counters: PipelineCounters = {
    pendingReadings: 0,
    droppedReadings: 0,
    retries: 0,
    refusedReadings: 0,
    droppedDeadLetters: 0,
    acknowledgedPoints: 0,
  };
  /** False from a failed send until a replay gets through. */
  online = true;
  lastError: InfluxStoreError | null = null;

  private queue: Item[] = [];
  private inFlight = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  private flushDue = false;
  private idleWaiters: (() => void)[] = [];
  private readonly overflowSpills = new Set<Promise<void>>();
  private closing = false;
  private closed = false;
  private readonly replay: ReplayLoop;

  private readonly sink: LineSink;
  private readonly spill: SpillDir;
  private readonly opts: PipelineOptions;

  constructor(sink: LineSink, spill: SpillDir, opts: PipelineOptions) {
    this.sink = sink;
    this.spill = spill;
    this.opts = opts;
    this.replay = new ReplayLoop({
      ...opts,
      spill,
      send: (items) => this.sendAll(items),
      isOnline: () => this.online,
      onError: (err) => {
        this.lastError = err;
      },
    });
    if (spill.hasData()) this.startReplay();
  }

  /** Resolves with the readings acknowledged or spilled, once every record is durable. */
  submit(records: readonly SpillRecord[]): Promise<number> {
    if (this.closing) {
      return Promise.reject(new InfluxStoreError('influx-store-closed', 'write after close()'));
    }
    if (records.length === 0) return Promise.resolve(0);
    const job = new Job(records.length);
    const items = records.map((r): Item => ({
      ...r,
      job,
      pending: r.kind === 'reading',
      settled: false,
    }));
    const readings = items.filter((i) => i.pending).length;
    const overflow = this.counters.pendingReadings + readings > this.opts.maxBufferedReadings;
    this.counters.pendingReadings += readings;
    if (overflow) {
      const spilling = this.spillItems(items).finally(() => {
        this.overflowSpills.delete(spilling);
      });
      this.overflowSpills.add(spilling);
    } else {
      this.queue.push(...items);
      this.schedule();
    }
    return job.done;
  }

  /** Sends (or spills) everything accepted so far. */
  async flush(): Promise<void> {
    this.flushDue = true;
    this.pump();
    if (this.queue.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    await Promise.all(this.overflowSpills);
  }

  /** Flushes, then stops the timers and the replay loop; spill files stay for the next open. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.flush();
    this.closed = true;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.replay.close();
  }

  private schedule(): void {
    if (this.queue.length >= this.opts.batchSize) this.pump();
    else this.armFlushTimer();
  }

  /** A partial batch waits at most flushIntervalMs. */
  private armFlushTimer(): void {
    if (this.flushTimer !== null || this.flushDue || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flushDue = true;
      this.pump();
    }, this.opts.flushIntervalMs);
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.opts.concurrency) {
      if (this.queue.length < this.opts.batchSize && !this.flushDue) break;
      const batch = this.queue.splice(0, this.opts.batchSize);
      this.inFlight++;
      void this.deliver(batch).finally(() => {
        this.inFlight--;
        this.pump();
        this.notifyIdle();
      });
    }
    // Full batches left behind wait for a free lane (each finished send pumps again).
    if (this.queue.length === 0) this.flushDue = false;
    else this.armFlushTimer();
  }

  private notifyIdle(): void {
    if (this.queue.length > 0 || this.inFlight > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async deliver(batch: Item[]): Promise<void> {
    try {
      const undelivered = this.online ? await this.sendAll(batch) : batch;
      if (undelivered.length > 0) await this.spillItems(undelivered);
    } catch (err) {
      // Not expected (sinks and spill report through values): fail loudly, lose nothing silently.
      this.opts.logger.error({ err }, 'influx: write pipeline failed');
      for (const item of batch) this.settle(item, 'failed', err);
    }
  }

  /** Sends items, bisecting around refused points; returns those the server could not take. */
  private async sendAll(items: Item[]): Promise<Item[]> {
    const outcome = await this.sink.send(items.map((i) => i.line));
    if (outcome.kind === 'acknowledged') {
      this.online = true;
      for (const item of items) this.settle(item, 'written');
      return [];
    }
    if (outcome.kind === 'unavailable') {
      this.noteUnavailable(outcome.error, items.length);
      return items;
    }
    const [first, ...rest] = items;
    if (first !== undefined && rest.length === 0) return this.refuse(first, outcome.error);
    const half = Math.ceil(items.length / 2);
    const left = await this.sendAll(items.slice(0, half));
    if (left.length > 0) return [...left, ...items.slice(half)];
    return this.sendAll(items.slice(half));
  }

  /** A refused reading becomes a dead letter (same write() call); a refused letter is dropped. */
  private async refuse(item: Item, error: InfluxStoreError): Promise<Item[]> {
    if (item.kind === 'dead-letter') {
      this.counters.droppedDeadLetters++;
      this.opts.logger.error(
        { err: error, line: item.line },
        'influx: dead letter refused, dropped',
      );
      this.settle(item, 'refused');
      return [];
    }
    this.counters.refusedReadings++;
    this.opts.logger.warn(
      { err: error, line: item.line },
      'influx: reading refused, stored as dead letter',
    );
    item.settled = true;
    const letter: Item = {
      kind: 'dead-letter',
      line: this.opts.deadLetterFor(item.line, error),
      job: item.job,
      pending: item.pending,
      settled: false,
    };
    return this.sendAll([letter]);
  }

  private noteUnavailable(error: InfluxStoreError, points: number): void {
    this.counters.retries++;
    if (this.online)
      this.opts.logger.warn({ err: error, points }, 'influx: server unavailable, spilling');
    this.online = false;
    this.lastError = error;
  }

  private async spillItems(items: Item[]): Promise<void> {
    try {
      await this.spill.append(items);
    } catch (err) {
      const readings = items.filter((i) => i.pending).length;
      this.counters.droppedReadings += readings;
      this.opts.logger.error({ err, readings }, 'influx: cannot spill, write() rejects');
      for (const item of items) this.settle(item, 'failed', err);
      return;
    }
    for (const item of items) this.settle(item, 'spilled');
    this.startReplay();
  }

  private settle(item: Item, how: Settlement, error: unknown = null): void {
    if (item.settled) return;
    item.settled = true;
    if (item.pending) this.counters.pendingReadings--;
    if (how === 'written') this.counters.acknowledgedPoints++;
    const written = item.kind === 'reading' && (how === 'written' || how === 'spilled');
    item.job?.settle(written, how === 'failed' ? error : null);
  }

  private startReplay(): void {
    this.replay.start();
  }
}
