import { backoffMs, type BackoffOptions } from './backoff.ts';
import { InfluxStoreError, describeError } from './errors.ts';
import type { InfluxLogger, Item } from './jobs.ts';
import type { SpillDir } from './spill.ts';

export interface ReplayOptions extends BackoffOptions {
  spill: SpillDir;
  batchSize: number;
  random: () => number;
  logger: InfluxLogger;
  /** Sends points (bisecting refused ones); returns those the server could not take. */
  send: (items: Item[]) => Promise<Item[]>;
  isOnline: () => boolean;
  onError: (err: InfluxStoreError) => void;
}

/**
 * Sends the spill files back, oldest first, one batch at a time. After a failed attempt it
 * waits with capped, jittered exponential back-off; progress inside a file is kept, so a
 * retry resends only what was not acknowledged. A file is deleted only when all its points
 * are acknowledged or dead-lettered. At most one loop runs.
 */
export class ReplayLoop {
  private readonly opts: ReplayOptions;
  private running: Promise<void> | null = null;
  private closed = false;
  private wake: (() => void) | null = null;
  private current: { name: string; items: Item[] } | null = null;

  constructor(opts: ReplayOptions) {
    this.opts = opts;
  }

  start(): void {
    if (this.running !== null || this.closed) return;
    this.running = this.loop().finally(() => {
      this.running = null;
      // Points spilled while the loop was finishing must not wait for the next outage.
      if (this.opts.spill.hasData() && !this.closed) this.start();
    });
  }

  /** Cuts a back-off wait short and waits for a send in progress; the files stay. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let attempt = this.opts.isOnline() ? 0 : 1;
    while (!this.closed && this.opts.spill.hasData()) {
      if (attempt > 0) await this.sleep(backoffMs(attempt, this.opts, this.opts.random));
      if (this.closed) return;
      try {
        attempt = (await this.replayOldest()) ? 0 : attempt + 1;
      } catch (err) {
        this.opts.logger.error({ err }, 'influx: replay failed');
        this.opts.onError(
          err instanceof InfluxStoreError
            ? err
            : new InfluxStoreError('influx-spill-failed', describeError(err)),
        );
        attempt++;
      }
    }
  }

  /** Sends the oldest file from where the last attempt stopped; true once it is deleted. */
  private async replayOldest(): Promise<boolean> {
    if (this.current === null) {
      const segment = await this.opts.spill.oldest();
      if (segment === null) return true;
      const items = segment.records.map((r): Item => ({
        ...r,
        job: null,
        pending: false,
        settled: false,
      }));
      this.current = { name: segment.name, items };
    }
    const current = this.current;
    while (current.items.length > 0) {
      if (this.closed) return false;
      const chunk = current.items.slice(0, this.opts.batchSize);
      const undelivered = await this.opts.send(chunk);
      current.items = [...undelivered, ...current.items.slice(chunk.length)];
      if (undelivered.length > 0) return false;
    }
    await this.opts.spill.remove(current.name);
    this.current = null;
    return true;
  }

  /** A back-off wait that close() can cut short. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
