import type { Reading } from '@airbox/contracts';

/**
 * Drops readings whose (device, time) passed through recently: the cheap first line
 * against QoS 1 redeliveries and devices re-sending their backlog. The store's key is the
 * second line, and the one that holds across restarts and beyond this window.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();
  private readonly capacity: number;

  constructor(capacity = 500_000) {
    this.capacity = capacity;
  }

  /** The readings not seen before, in order; remembers them. */
  filterNew(readings: Reading[]): Reading[] {
    const fresh: Reading[] = [];
    for (const r of readings) {
      const key = `${r.deviceId}\u0000${r.time}`;
      if (this.keys.has(key)) continue;
      this.keys.add(key);
      fresh.push(r);
    }
    while (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value;
      if (oldest === undefined) break;
      this.keys.delete(oldest);
    }
    return fresh;
  }

  /** Forgets readings that the store did not keep, so a retry is not taken for a duplicate. */
  forget(readings: Reading[]): void {
    for (const r of readings) this.keys.delete(`${r.deviceId}\u0000${r.time}`);
  }

  get size(): number {
    return this.keys.size;
  }
}
