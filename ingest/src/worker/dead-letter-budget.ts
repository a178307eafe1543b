import type { DeadLetterClientUsage, DeadLetterDropReport } from '@airbox/contracts';
import type { DeadLetter } from '@airbox/store';

const HOUR_MS = 3_600_000;
/** Clients a report lists. */
const REPORTED_CLIENTS = 100;
/** The key of messages without a client id or box, and of the clients beyond `maxClients`. */
const SHARED = Symbol('shared');
type ClientKey = string | typeof SHARED;

export interface DeadLetterBudgetOptions {
  /**
   * Bytes (payload, topic and reason) kept per MQTT client id per UTC hour (per box for a
   * letter without a client id). Default 1 MiB.
   */
  bytesPerClientPerHour?: number;
  /** Letters kept per second over all clients, on average (a token bucket). Default 200. */
  lettersPerS?: number;
  /** Letters kept at once after a quiet spell: the bucket's size. Default 10 s' worth. */
  burst?: number;
  /** Client ids with a budget of their own an hour; the ones after share one. Default 10,000. */
  maxClients?: number;
  now?: () => number;
}

export const DEFAULT_DEAD_LETTER_BUDGET = {
  bytesPerClientPerHour: 1024 * 1024,
  lettersPerS: 200,
  maxClients: 10_000,
};

/** What one letter costs: the bytes a store keeps of it. */
function letterBytes(letter: DeadLetter): number {
  return letter.payload.length + letter.topic.length + letter.reason.length;
}

function newUsage(clientId: string | null): DeadLetterClientUsage {
  return { clientId, keptLetters: 0, keptBytes: 0, droppedLetters: 0, droppedBytes: 0 };
}

/**
 * Which dead letters a store keeps, so that nobody can fill it or keep a core busy writing
 * it: a client whose messages are refused or undecodable may have at most
 * `bytesPerClientPerHour` of them kept each UTC hour, and all clients together at most
 * `lettersPerS` letters a second (a token bucket of `burst`). The rest are counted, per
 * client and in all, and not written. One budget serves the broker's refusals and the
 * worker's letters of a process, whatever the store's engine.
 */
export class DeadLetterBudget {
  readonly bytesPerClientPerHour: number;
  readonly lettersPerS: number;
  readonly burst: number;
  readonly maxClients: number;
  readonly counters = { kept: 0, droppedOverBudget: 0, droppedOverRate: 0 };
  readonly #now: () => number;
  #hourStartMs = Number.NEGATIVE_INFINITY;
  #clients = new Map<ClientKey, DeadLetterClientUsage>();
  #tokens: number;
  #refilledMs: number;

  constructor(opts: DeadLetterBudgetOptions = {}) {
    this.bytesPerClientPerHour =
      opts.bytesPerClientPerHour ?? DEFAULT_DEAD_LETTER_BUDGET.bytesPerClientPerHour;
    this.lettersPerS = opts.lettersPerS ?? DEFAULT_DEAD_LETTER_BUDGET.lettersPerS;
    this.burst = opts.burst ?? this.lettersPerS * 10;
    this.maxClients = opts.maxClients ?? DEFAULT_DEAD_LETTER_BUDGET.maxClients;
    this.#now = opts.now ?? Date.now;
    this.#tokens = this.burst;
    this.#refilledMs = this.#now();
  }

  /** Letters not kept, since the process started (for /metrics). */
  get droppedTotal(): number {
    return this.counters.droppedOverBudget + this.counters.droppedOverRate;
  }

  /** Whether to store this letter: charged to its client when yes, counted when no. */
  admit(letter: DeadLetter): boolean {
    const nowMs = this.#now();
    // A message from `airbox worker --broker` comes without its client id: its box's, then.
    const usage = this.#usageOf(letter.clientId ?? letter.deviceId ?? null, nowMs);
    const bytes = letterBytes(letter);
    // The client's budget first: a letter over it must not use up a token of the others'.
    const overBudget = usage.keptBytes + bytes > this.bytesPerClientPerHour;
    if (overBudget || !this.#takeToken(nowMs)) {
      usage.droppedLetters++;
      usage.droppedBytes += bytes;
      if (overBudget) this.counters.droppedOverBudget++;
      else this.counters.droppedOverRate++;
      return false;
    }
    usage.keptLetters++;
    usage.keptBytes += bytes;
    this.counters.kept++;
    return true;
  }

  /** Stores the letter through `write` when admitted; resolves at once when not. */
  async keep(letter: DeadLetter, write: (letter: DeadLetter) => Promise<void>): Promise<void> {
    if (this.admit(letter)) await write(letter);
  }

  report(): DeadLetterDropReport {
    this.#rollHour(this.#now());
    const clients = [...this.#clients.values()]
      .sort((a, b) => b.droppedLetters - a.droppedLetters || b.keptBytes - a.keptBytes)
      .slice(0, REPORTED_CLIENTS)
      .map((usage) => ({ ...usage }));
    return {
      hourStart: new Date(this.#hourStartMs).toISOString(),
      bytesPerClientPerHour: this.bytesPerClientPerHour,
      lettersPerS: this.lettersPerS,
      keptTotal: this.counters.kept,
      droppedOverBudgetTotal: this.counters.droppedOverBudget,
      droppedOverRateTotal: this.counters.droppedOverRate,
      clients,
    };
  }

  #rollHour(nowMs: number): void {
    const hourStartMs = nowMs - (nowMs % HOUR_MS);
    if (hourStartMs === this.#hourStartMs) return;
    this.#hourStartMs = hourStartMs;
    this.#clients = new Map();
  }

  #usageOf(clientId: string | null, nowMs: number): DeadLetterClientUsage {
    this.#rollHour(nowMs);
    // Bounded: a flood of made-up client ids shares one budget once the map is full.
    const full = this.#clients.size >= this.maxClients;
    const key: ClientKey =
      clientId === null || (full && !this.#clients.has(clientId)) ? SHARED : clientId;
    let usage = this.#clients.get(key);
    if (usage === undefined) {
      usage = newUsage(key === SHARED ? null : key);
      this.#clients.set(key, usage);
    }
    return usage;
  }

  #takeToken(nowMs: number): boolean {
    const elapsedS = Math.max(0, nowMs - this.#refilledMs) / 1000;
    this.#tokens = Math.min(this.burst, this.#tokens + elapsedS * this.lettersPerS);
    this.#refilledMs = nowMs;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
