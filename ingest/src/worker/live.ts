import type { StoredReading } from '@airbox/contracts';

export type LiveListener = (readings: StoredReading[]) => void;

/**
 * Live fan-out of stored readings to in-process listeners (the HTTP live stream, tests).
 * A listener must not block: each keeps its own bounded queue for slow consumers.
 */
export class LiveBus {
  private readonly listeners = new Set<LiveListener>();

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(readings: StoredReading[]): void {
    if (readings.length === 0) return;
    for (const l of this.listeners) l(readings);
  }

  get size(): number {
    return this.listeners.size;
  }
}
