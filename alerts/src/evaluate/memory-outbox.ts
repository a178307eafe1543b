import type { AlertEvent, AlertOutbox, Subscription } from '../types.ts';

/**
 * An outbox that keeps what it is given in memory, idempotent on the key like the real one:
 * for tests, and for `airbox serve` until delivery (the registry's outbox) takes its place.
 */
export class MemoryOutbox implements AlertOutbox {
  readonly events: AlertEvent[] = [];
  protected readonly keys = new Set<string>();

  enqueue(event: AlertEvent, _subscription: Subscription): Promise<boolean> {
    if (this.keys.has(event.key)) return Promise.resolve(false);
    this.keys.add(event.key);
    this.events.push(event);
    return Promise.resolve(true);
  }
}

/** A MemoryOutbox that also logs each new event as a JSON line (`alert-enqueued`). */
export class LogOutbox extends MemoryOutbox {
  private readonly log: (event: string, fields: Record<string, unknown>) => void;
  /** Keeps the newest events only: the log is the record. */
  private readonly keep: number;

  constructor(log: (event: string, fields: Record<string, unknown>) => void, keep = 1000) {
    super();
    this.log = log;
    this.keep = keep;
  }

  override async enqueue(event: AlertEvent, subscription: Subscription): Promise<boolean> {
    const taken = await super.enqueue(event, subscription);
    if (taken) this.log('alert-enqueued', { ...event });
    // Bounded: the oldest events and their keys go (a key that old is not found again).
    if (this.events.length > this.keep) {
      for (const old of this.events.splice(0, this.events.length - this.keep)) {
        this.keys.delete(old.key);
      }
    }
    return taken;
  }
}
