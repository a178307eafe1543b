/**
 * Time as the firmware sees it. Every wait in the device code goes through a `Clock`, so a
 * test (or the fleet simulator running a day in milliseconds) can swap in `ManualClock`.
 * Time base: epoch milliseconds (UTC), like `Date.now()`.
 */
export interface Clock {
  nowMs(): number;
  /** Calls `callback` once after `delayMs`; the returned function cancels it. */
  setTimer(callback: () => void, delayMs: number): () => void;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    return () => clearTimeout(timer);
  },
};

/** Resolves after `delayMs` on `clock` (at once for 0 or less). */
export function sleepMs(clock: Clock, delayMs: number): Promise<void> {
  if (delayMs <= 0) return Promise.resolve();
  return new Promise((resolve) => clock.setTimer(resolve, delayMs));
}

interface PendingTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
}

/** A clock that moves only when told to: timers fire, in due order, inside `advanceMs`. */
export class ManualClock implements Clock {
  #nowMs: number;
  #timers: PendingTimer[] = [];
  #seq = 0;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  setTimer(callback: () => void, delayMs: number): () => void {
    const timer = { dueMs: this.#nowMs + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired; lets a test wait until the code under test has armed one. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward, firing each timer that falls due at its own time. */
  advanceMs(deltaMs: number): void {
    const endMs = this.#nowMs + deltaMs;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.dueMs <= endMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#nowMs = next.dueMs;
      next.callback();
    }
    this.#nowMs = endMs;
  }
}
