import type { PointKind } from './spill.ts';

/** The subset of pino the store logs through. */
export interface InfluxLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PipelineCounters {
  /** Readings accepted but not yet acknowledged or spilled. */
  pendingReadings: number;
  /** Readings write() rejected because the spill bound was reached or the disk failed. */
  droppedReadings: number;
  /** Failed write requests whose points are retried (live sends and replays). */
  retries: number;
  /** Readings the server refused (4xx), stored as dead letters instead. */
  refusedReadings: number;
  /** Dead letters the server refused too: only these are lost, and logged. */
  droppedDeadLetters: number;
  /** Points (readings and letters, live and replayed) the server acknowledged. */
  acknowledgedPoints: number;
}

/** One write() or addDeadLetter() call: resolves once each of its points is durable. */
export class Job {
  remaining: number;
  written = 0;
  error: unknown = null;
  readonly done: Promise<number>;
  private resolve!: (written: number) => void;
  private reject!: (err: unknown) => void;

  constructor(size: number) {
    this.remaining = size;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  settle(written: boolean, error: unknown): void {
    if (written) this.written++;
    if (error !== null) this.error ??= error;
    if (--this.remaining > 0) return;
    if (this.error === null) this.resolve(this.written);
    else this.reject(this.error);
  }
}

/** One point on its way to the server. */
export interface Item {
  kind: PointKind;
  line: string;
  /** The write() call waiting for it; null for replayed points. */
  job: Job | null;
  /** Counted in pendingReadings: a reading of a write() call, or the letter replacing one. */
  pending: boolean;
  settled: boolean;
}

export type Settlement = 'written' | 'spilled' | 'refused' | 'failed';
