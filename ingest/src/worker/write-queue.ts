import { CodedError, type StoredReading } from '@airbox/contracts';
import type { ReadingStore, WriteResult } from '@airbox/store';

/**
 * Group commit: readings enqueued during one turn of the event loop are written in one
 * store call, and every caller's promise settles when that call does. Many publishers
 * then share one transaction, and no caller waits on a timer.
 *
 * Bound: at most `maxPending` readings wait; beyond that `enqueue` rejects at once with
 * code `overloaded`, so the broker refuses the PUBLISH and the device keeps the reading
 * in its own offline buffer (nothing is acknowledged that is not stored).
 */
export class OverloadedError extends CodedError<'overloaded'> {
  constructor(message: string) {
    super('overloaded', message);
  }
}

interface Waiter {
  readings: StoredReading[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class WriteQueue {
  private waiting: Waiter[] = [];
  private pending = 0;
  private scheduled = false;
  private committing: Promise<void> | null = null;
  /** Totals over the queue's life: the store counts per batch, not per caller. */
  readonly totals: WriteResult & { rejectedOverload: number } = {
    written: 0,
    duplicates: 0,
    rejectedOverload: 0,
  };
  private readonly store: ReadingStore;
  private readonly maxPending: number;

  constructor(store: ReadingStore, maxPending = 100_000) {
    this.store = store;
    this.maxPending = maxPending;
  }

  /** Resolves once the readings are durable in the store (stored now, or stored before). */
  enqueue(readings: StoredReading[]): Promise<void> {
    if (this.pending + readings.length > this.maxPending) {
      this.totals.rejectedOverload += readings.length;
      return Promise.reject(
        new OverloadedError(`write queue full (${this.pending} readings waiting); retry later`),
      );
    }
    this.pending += readings.length;
    return new Promise((resolve, reject) => {
      this.waiting.push({ readings, resolve, reject });
      if (!this.scheduled && this.committing === null) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  get pendingReadings(): number {
    return this.pending;
  }

  /** The bound of pendingReadings: beyond it enqueue refuses (`overloaded`). */
  get maxPendingReadings(): number {
    return this.maxPending;
  }

  /** Resolves when everything enqueued so far is settled. */
  async drain(): Promise<void> {
    while (this.pending > 0 || this.scheduled || this.committing !== null) {
      await (this.committing ?? new Promise((r) => setImmediate(r)));
    }
  }

  /**
   * One store call at a time keeps writes in arrival order; whatever arrives while one is
   * in flight becomes the next batch, so a slow store (InfluxDB answers in a flush
   * interval) gets bigger batches rather than a longer line of small ones.
   */
  private flush(): void {
    this.scheduled = false;
    if (this.waiting.length === 0 || this.committing !== null) return;
    const batch = this.waiting;
    this.waiting = [];
    this.committing = this.commit(batch).finally(() => {
      this.committing = null;
      this.flush();
    });
  }

  private async commit(batch: Waiter[]): Promise<void> {
    const readings = batch.flatMap((w) => w.readings);
    try {
      const result = await this.store.write(readings);
      this.totals.written += result.written;
      this.totals.duplicates += result.duplicates;
      for (const w of batch) w.resolve();
    } catch (e) {
      for (const w of batch) w.reject(e);
    } finally {
      this.pending -= readings.length;
    }
  }
}
