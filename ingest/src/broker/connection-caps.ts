import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { RecentMap } from './recent-map.ts';

/** Default of `--max-connections-per-address`: more than a NAT of boxes, less than an attack. */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1000;
/** The total cap when the open-files limit cannot be read. */
export const FALLBACK_MAX_CONNECTIONS = 16_000;
/** At most one log line per address (or for the total) this often; the line counts the rest. */
const LOG_EVERY_MS = 10_000;

/**
 * The default total cap: the process's open-files soft limit ("Max open files" in
 * /proc/self/limits, proc(5)) less a reserve of 10 % or 1,024, whichever is larger, for the
 * HTTP API, the stores and the logs: past it, accept() fails with EMFILE and HTTP and MQTT
 * stop alike. FALLBACK_MAX_CONNECTIONS when the limit is unknown or unlimited.
 */
export function defaultMaxConnections(limits: string | null = readLimits()): number {
  const soft = limits?.match(/^Max open files\s+(\d+)/m)?.[1];
  if (soft === undefined) return FALLBACK_MAX_CONNECTIONS;
  const files = Number(soft);
  return Math.max(1, files - Math.max(Math.ceil(files * 0.1), 1024));
}

function readLimits(): string | null {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return null;
  }
}

export interface ConnectionCapOptions {
  /** Open connections at most, all listeners together. */
  maxConnections: number;
  /** Open connections at most from one remote address; 0 = no cap (behind a TCP proxy). */
  maxPerAddress: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
  now?: () => number;
}

/**
 * Counts open connections per remote address and in total, and closes a new one past a
 * cap at once, before it costs more than its file descriptor. Refusals are logged at most
 * once per address every 10 s, with how many there were, so a flood cannot flood the log.
 */
export class ConnectionCaps {
  private readonly perAddress = new Map<string, number>();
  private readonly logged = new RecentMap<{ sinceMs: number; refused: number }>(10_000, 60_000);
  private readonly opts: ConnectionCapOptions;
  private open = 0;
  /** Connections refused since the start (for /metrics). */
  refusedTotal = 0;

  constructor(opts: ConnectionCapOptions) {
    this.opts = opts;
  }

  /** Counts the socket until it closes and answers true, or destroys it and answers false. */
  admit(socket: Socket): boolean {
    const address = socket.remoteAddress;
    if (address === undefined) {
      socket.destroy(); // closed before it was accepted
      return false;
    }
    const over = this.capReached(address);
    if (over !== null) {
      socket.destroy();
      this.refused(address, over);
      return false;
    }
    this.open++;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => this.release(address));
    return true;
  }

  /** The cap one more connection from this address would pass, or null. */
  private capReached(address: string): string | null {
    const { maxConnections, maxPerAddress } = this.opts;
    if (this.open >= maxConnections) return `the total cap of ${maxConnections} connections`;
    if (maxPerAddress > 0 && (this.perAddress.get(address) ?? 0) >= maxPerAddress) {
      return `the cap of ${maxPerAddress} connections per address`;
    }
    return null;
  }

  private release(address: string): void {
    this.open--;
    const held = (this.perAddress.get(address) ?? 1) - 1;
    if (held > 0) this.perAddress.set(address, held);
    else this.perAddress.delete(address);
  }

  private refused(remote: string, reason: string): void {
    this.refusedTotal++;
    const nowMs = (this.opts.now ?? Date.now)();
    const entry = this.logged.use(remote, nowMs, () => ({ sinceMs: -Infinity, refused: 0 }));
    entry.refused++;
    if (nowMs - entry.sinceMs < LOG_EVERY_MS) return;
    this.opts.log?.('connection-refused', {
      remote,
      reason: `over ${reason}`,
      refused: entry.refused,
      openConnections: this.open,
    });
    entry.sinceMs = nowMs;
    entry.refused = 0;
  }
}
