import type { Socket } from 'node:net';

/**
 * Default of `--connect-timeout`: a box sends its CONNECT right after the TCP (and TLS or
 * WebSocket) handshake, which takes a few round trips even on a GPRS link; a connection
 * still without one after this long is not a box at work.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Default of `--max-pending-connections`: a fleet reconnecting after a restart has a few
 * hundred handshakes in flight at once; an attacker holding idle sockets has all of them.
 */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 1000;
/**
 * At the cap, a new connection takes the place of the one waiting longest only if that one
 * has waited this long: a slow attacker's sockets are old, a reconnecting fleet's are young
 * (then the new connection is refused, and the box retries).
 */
const REPLACE_AFTER_MS = 1000;
/** At most one log line per reason this often; the line counts the rest. */
const LOG_EVERY_MS = 10_000;

export interface PendingOptions {
  /** A connection that has not sent a whole CONNECT within this long is closed. */
  timeoutMs: number;
  /** Connections waiting for their CONNECT at most, all listeners together. */
  maxPending: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  now?: () => number;
}

export type PendingCloseCode = 'connect-timeout' | 'pending-cap';

/** A TCP connection's name, the same on the raw socket and on TLS over it. */
export interface Peer {
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
  localPort?: number | undefined;
}

const keyOf = (p: Peer) => `${p.remoteAddress}|${p.remotePort}|${p.localPort}`;

interface Waiting {
  socket: Socket;
  sinceMs: number;
}

/**
 * The connections accepted that have not yet sent a whole CONNECT: each costs a socket and
 * whatever its handshake holds, and no login bounds them. They are closed after `timeoutMs`,
 * and at most `maxPending` wait at once. Kept in a Map in arrival order, so the one waiting
 * longest is first, and one timer, set for that one, serves them all.
 */
export class PendingConnections {
  private readonly waiting = new Map<string, Waiting>();
  private readonly opts: PendingOptions;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private readonly logged = new Map<PendingCloseCode, { sinceMs: number; closed: number }>();
  /** Connections closed since the start, by why (for /metrics). */
  readonly closedTotal: Record<PendingCloseCode, number> = {
    'connect-timeout': 0,
    'pending-cap': 0,
  };

  constructor(opts: PendingOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
  }

  /** Connections waiting for their CONNECT now (for /metrics). */
  get size(): number {
    return this.waiting.size;
  }

  /**
   * Starts the wait of an accepted socket; answers false, the socket destroyed, when the
   * cap is reached and no one has waited long enough to give up their place.
   */
  admit(socket: Socket): boolean {
    const nowMs = this.now();
    if (this.waiting.size >= this.opts.maxPending && !this.replaceOldest(nowMs)) {
      this.closed('pending-cap', socket, `refused: ${this.size} connections wait already`);
      return false;
    }
    const key = keyOf(socket);
    this.waiting.set(key, { socket, sinceMs: nowMs });
    socket.once('close', () => this.settle(key, socket));
    this.schedule();
    return true;
  }

  /** The connection's CONNECT has arrived whole: it waits no more. */
  arrived(peer: Peer): void {
    this.waiting.delete(keyOf(peer));
  }

  /** Stops the timer; the sockets are the listeners' to close. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private settle(key: string, socket: Socket): void {
    if (this.waiting.get(key)?.socket === socket) this.waiting.delete(key);
  }

  private replaceOldest(nowMs: number): boolean {
    const oldest = this.waiting.entries().next();
    if (oldest.done || nowMs - oldest.value[1].sinceMs < REPLACE_AFTER_MS) return false;
    const [key, { socket, sinceMs }] = oldest.value;
    this.waiting.delete(key);
    this.closed('pending-cap', socket, `closed the one waiting longest (${nowMs - sinceMs} ms)`);
    return true;
  }

  /** One timer, due when the connection waiting longest runs out of time. */
  private schedule(): void {
    if (this.timer !== null) return;
    const oldest = this.waiting.values().next();
    if (oldest.done) return;
    const dueMs = oldest.value.sinceMs + this.opts.timeoutMs - this.now();
    this.timer = setTimeout(() => this.expire(), Math.max(0, dueMs));
    this.timer.unref();
  }

  private expire(): void {
    this.timer = null;
    const nowMs = this.now();
    for (const [key, { socket, sinceMs }] of this.waiting) {
      if (nowMs - sinceMs < this.opts.timeoutMs) break;
      this.waiting.delete(key);
      this.closed('connect-timeout', socket, `no CONNECT within ${this.opts.timeoutMs} ms`);
    }
    this.schedule();
  }

  /**
   * Closes the socket and counts it; logs it unless a line for its reason went out in the
   * last 10 s, and then the line counts those in between.
   */
  private closed(code: PendingCloseCode, socket: Socket, reason: string): void {
    const remote = socket.remoteAddress;
    socket.destroy();
    this.closedTotal[code]++;
    const nowMs = this.now();
    const entry = this.logged.get(code) ?? { sinceMs: -Infinity, closed: 0 };
    this.logged.set(code, entry);
    entry.closed++;
    if (nowMs - entry.sinceMs < LOG_EVERY_MS) return;
    this.opts.log?.('connection-closed', {
      code,
      remote,
      reason,
      closed: entry.closed,
      pendingConnections: this.size,
      maxPendingConnections: this.opts.maxPending,
    });
    entry.sinceMs = nowMs;
    entry.closed = 0;
  }
}
