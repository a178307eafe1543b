const DURABLE: Promise<unknown> = Promise.resolve();

/**
 * The (device, time) keys this store wrote recently, each with the promise of the write()
 * that carries it. InfluxDB would let a second write of a key overwrite the first, and
 * telling whether a key exists costs a query per batch. Remembering recent keys is cheap and
 * catches what at-least-once delivery produces (redeliveries within seconds or minutes):
 * the duplicate is counted and left out, so the first reading stays. Older duplicates, or
 * ones written by another process, overwrite — with the same values when they are true
 * redeliveries, so the result is the same.
 */
export class RecentKeys {
  private readonly keys = new Map<string, Promise<unknown>>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get(key: string): Promise<unknown> | undefined {
    return this.keys.get(key);
  }

  remember(key: string, write: Promise<unknown>): void {
    if (this.max === 0) return;
    this.keys.delete(key);
    this.keys.set(key, write);
    // Map iterates in insertion order: the first key is the oldest.
    while (this.keys.size > this.max) {
      const oldest = this.keys.keys().next();
      if (oldest.done === true) break;
      this.keys.delete(oldest.value);
    }
  }

  /** Once durable, a key no longer holds on to its write's promise (memory). */
  settled(key: string, write: Promise<unknown>): void {
    if (this.keys.get(key) === write) this.keys.set(key, DURABLE);
  }

  /** A write that failed must not make its redelivery look like a duplicate. */
  forget(key: string, write: Promise<unknown>): void {
    if (this.keys.get(key) === write) this.keys.delete(key);
  }
}
