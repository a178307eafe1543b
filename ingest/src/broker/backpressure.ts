/**
 * Default of `--backpressure-lag-ms`: a loop late by more than this makes every page load,
 * /healthz and CONNACK wait as long. Ten times what an idle server shows, a tenth of what a
 * user notices as a stall.
 */
export const DEFAULT_BACKPRESSURE_LAG_MS = 100;
/** How often the loop's delay is probed: fine enough to act within a fraction of the limit. */
const PROBE_EVERY_MS = 20;
/**
 * PUBLISHes let through in one event-loop turn at most. A socket chunk holds hundreds of
 * small PUBLISHes and Aedes handles a chunk's packets at once: hundreds of clients' chunks
 * in one turn are tens of thousands of messages, seconds of work before the loop comes back
 * to HTTP. At ~30 µs a message (decode, QC, store), this many is a few ms.
 */
const PUBLISHES_PER_TURN = 256;
/**
 * Payload bytes let through in one turn at most: a batch message carries hundreds of
 * readings, each as much work as a message of its own (~150 bytes a native reading). The
 * first PUBLISH of a turn always goes, whatever its size.
 */
const BYTES_PER_TURN = 64 * 1024;
/** At most one log line this often; it counts the pauses since the last. */
const LOG_EVERY_MS = 10_000;

export interface BackpressureOptions {
  /** Event-loop delay above which PUBLISHes wait; 0 never pauses (the per-turn bound stays). */
  lagLimitMs: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  /** A monotonic clock in ms (performance.now). */
  now?: () => number;
}

/**
 * Keeps ingest from holding the event loop. Every client PUBLISH asks `admit()` first, and
 * Aedes reads a client's next bytes only once the packets it has are handled, so a PUBLISH
 * held here stops its connection's reading (TCP then slows the sender) and delays its
 * PUBACK; nothing is dropped. Held: beyond PUBLISHES_PER_TURN or BYTES_PER_TURN in one
 * turn (the rest go in the next turns, in arrival order), and all of them while the loop runs late by more than
 * `lagLimitMs`, until a probe finds it back under half that.
 */
export class PublishBackpressure {
  private readonly opts: BackpressureOptions;
  private readonly now: () => number;
  private readonly held: { bytes: number; go: () => void }[] = [];
  private admittedThisTurn = 0;
  private bytesThisTurn = 0;
  private turnScheduled = false;
  private probe: NodeJS.Timeout | null = null;
  private pausedSinceMs: number | null = null;
  private pausedMsBefore = 0;
  private logged = { atMs: -Infinity, pauses: 0 };
  /** Times ingest paused for a late loop, since the start (for /metrics). */
  pauses = 0;

  constructor(opts: BackpressureOptions) {
    this.opts = opts;
    this.now = opts.now ?? (() => performance.now());
    if (opts.lagLimitMs > 0) this.armProbe(this.now());
  }

  get paused(): boolean {
    return this.pausedSinceMs !== null;
  }

  /** PUBLISHes waiting to be let through now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Seconds spent paused since the start, the current pause included. */
  get pausedSeconds(): number {
    const current = this.pausedSinceMs === null ? 0 : this.now() - this.pausedSinceMs;
    return (this.pausedMsBefore + current) / 1000;
  }

  /**
   * Null when a PUBLISH of `payloadBytes` may go on now, else a promise that resolves when
   * it may.
   */
  admit(payloadBytes: number): Promise<void> | null {
    if (!this.paused && this.held.length === 0 && this.roomFor(payloadBytes)) {
      this.count(payloadBytes);
      return null;
    }
    return new Promise((go) => {
      this.held.push({ bytes: payloadBytes, go });
      this.scheduleTurn();
    });
  }

  /** Lets everything held go and stops probing: the broker is closing. */
  stop(): void {
    if (this.probe !== null) clearTimeout(this.probe);
    this.probe = null;
    this.resume();
    for (const { go } of this.held.splice(0)) go();
  }

  private roomFor(bytes: number): boolean {
    if (this.admittedThisTurn === 0) return true;
    return (
      this.admittedThisTurn < PUBLISHES_PER_TURN && this.bytesThisTurn + bytes <= BYTES_PER_TURN
    );
  }

  private count(bytes: number): void {
    this.admittedThisTurn++;
    this.bytesThisTurn += bytes;
    this.scheduleTurn();
  }

  /** At the end of this turn: a new turn's allowance, and the held that fit in it go on. */
  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      this.admittedThisTurn = 0;
      this.bytesThisTurn = 0;
      this.release();
    });
  }

  /** The held that fit in this turn go on, in the order they came. */
  private release(): void {
    if (this.paused) return;
    let n = 0;
    while (n < this.held.length && this.roomFor(this.held[n]!.bytes)) {
      this.admittedThisTurn++;
      this.bytesThisTurn += this.held[n]!.bytes;
      n++;
    }
    for (const { go } of this.held.splice(0, n)) go();
    // What went counts against this turn: the next one starts afresh.
    if (n > 0 || this.held.length > 0) this.scheduleTurn();
  }

  /** A timer that measures how late it fires: the loop's delay, as every client feels it. */
  private armProbe(firedAtMs: number): void {
    this.probe = setTimeout(() => {
      const nowMs = this.now();
      this.onLag(nowMs - firedAtMs - PROBE_EVERY_MS, nowMs);
      this.armProbe(nowMs);
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }

  private onLag(lagMs: number, nowMs: number): void {
    if (!this.paused && lagMs > this.opts.lagLimitMs) this.pause(lagMs, nowMs);
    else if (this.paused && lagMs <= this.opts.lagLimitMs / 2) this.resume();
  }

  private pause(lagMs: number, nowMs: number): void {
    this.pausedSinceMs = nowMs;
    this.pauses++;
    this.logged.pauses++;
    if (nowMs - this.logged.atMs < LOG_EVERY_MS) return;
    this.opts.log?.('ingest-paused', {
      lagMs: Math.round(lagMs),
      lagLimitMs: this.opts.lagLimitMs,
      held: this.held.length,
      pauses: this.logged.pauses,
      reason: `the event loop ran ${Math.round(lagMs)} ms late: PUBLISHes wait until it is back under ${this.opts.lagLimitMs / 2} ms`,
    });
    this.logged = { atMs: nowMs, pauses: 0 };
  }

  private resume(): void {
    if (this.pausedSinceMs === null) return;
    this.pausedMsBefore += this.now() - this.pausedSinceMs;
    this.pausedSinceMs = null;
    this.scheduleTurn();
  }
}
