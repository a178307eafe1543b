import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import { InfluxStoreError } from './errors.ts';
import { outcomeOfStatus, unavailable, type LineSink, type SendOutcome } from './sink.ts';

export interface V2SinkOptions {
  url: string;
  org: string;
  bucket: string;
  token: string;
  timeoutMs: number;
  /** Largest batch this sink is given; the client must not split it on its own. */
  maxBatchPoints: number;
}

/**
 * `/api/v2/write` through the official client's WriteApi, used as a plain sender: its own
 * retry buffer is off (maxRetries 0) because durability is ours (spill + replay), and it
 * never batches on its own (batchSize above ours, no flush timer, no byte limit).
 *
 * TOOLING.md: `flush()` can resolve while the batch failed. So the outcome is counted from
 * the writeSuccess / writeFailed callbacks, and one batch at a time is in flight per
 * WriteApi so each callback belongs to the batch being flushed.
 */
export class V2Sink implements LineSink {
  private readonly api: WriteApi;
  private readonly where: string;
  private acknowledgedLines = 0;
  private failure: Error | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: V2SinkOptions) {
    this.where = `${opts.url}/api/v2/write`;
    const influx = new InfluxDB({ url: opts.url, token: opts.token, timeout: opts.timeoutMs });
    this.api = influx.getWriteApi(opts.org, opts.bucket, 'ms', {
      batchSize: opts.maxBatchPoints + 1,
      flushInterval: 0,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      maxRetries: 0,
      maxBufferLines: 1,
      writeSuccess: (lines) => {
        this.acknowledgedLines += lines.length;
      },
      writeFailed: (error) => {
        this.failure = error;
        // A promise tells the client not to retry or log: the caller decides.
        return Promise.resolve();
      },
    });
  }

  send(lines: readonly string[]): Promise<SendOutcome> {
    const result = this.queue.then(() => this.sendNow(lines));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async sendNow(lines: readonly string[]): Promise<SendOutcome> {
    this.acknowledgedLines = 0;
    this.failure = null;
    try {
      this.api.writeRecords(lines as string[]);
      await this.api.flush();
    } catch (err) {
      return unavailable(this.where, err);
    }
    // Set by the callbacks during flush(); read through a method so the type is not narrowed.
    const failure = this.lastFailure();
    if (failure instanceof HttpError) {
      return outcomeOfStatus(failure.statusCode, failure.body ?? failure.message, this.where);
    }
    if (failure !== null) return unavailable(this.where, failure);
    if (this.acknowledgedLines !== lines.length) {
      const message = `${this.acknowledgedLines} of ${lines.length} points acknowledged`;
      return {
        kind: 'unavailable',
        error: new InfluxStoreError('influx-unavailable', `${this.where}: ${message}`),
      };
    }
    return { kind: 'acknowledged' };
  }

  private lastFailure(): Error | null {
    return this.failure;
  }

  async close(): Promise<void> {
    await this.queue;
    // Nothing is buffered in the client between sends; dispose() only stops its timers.
    this.api.dispose();
  }
}

/** Several V2Sinks, so `concurrency` batches can be in flight while each WriteApi has one. */
export class SinkPool implements LineSink {
  private readonly sinks: readonly LineSink[];
  private readonly busy: number[];

  constructor(sinks: readonly LineSink[]) {
    this.sinks = sinks;
    this.busy = sinks.map(() => 0);
  }

  async send(lines: readonly string[]): Promise<SendOutcome> {
    let pick = 0;
    this.busy.forEach((n, i) => {
      if (n < (this.busy[pick] ?? 0)) pick = i;
    });
    const sink = this.sinks[pick];
    if (sink === undefined) throw new Error('SinkPool: no sinks');
    this.busy[pick] = (this.busy[pick] ?? 0) + 1;
    try {
      return await sink.send(lines);
    } finally {
      this.busy[pick] = (this.busy[pick] ?? 1) - 1;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
