import type { LiveSource, StoredReading } from '@airbox/contracts';
import { CLOCK_SKEW_LIMIT_MS } from '@airbox/protocol';
import type { ReadingStore } from '@airbox/store';
import type { ApiStats } from '../api-stats.ts';
import { inBBox } from '../bbox.ts';
import type { LiveLimits } from '../options.ts';
import type { LiveQuery } from '../query.ts';
import type { LiveMessage } from '../schemas.ts';

/** WebSocket close code for a client that reads too slowly (RFC 6455 §7.4.2: 4000–4999 are ours). */
export const SLOW_CONSUMER_CLOSE_CODE = 4008;
/** RFC 6455 §7.4.1: the server met a condition that prevented it from fulfilling the request. */
export const INTERNAL_ERROR_CLOSE_CODE = 1011;

/** One client's connection, whatever carries it (WebSocket, SSE). */
export interface LiveTransport {
  /** Queues the message; returns its size in bytes. */
  send(message: LiveMessage): number;
  /** Bytes accepted by send() and not yet handed to the kernel. */
  bufferedBytes(): number;
  /** Ends the stream with a code and a reason the client can read. */
  end(code: number, reason: string): void;
  /** Calls `listener` once when the stream has ended, whoever ended it. */
  onEnd(listener: () => void): void;
}

export interface LiveDeps {
  store: ReadingStore;
  source: LiveSource;
  limits: LiveLimits;
  stats: ApiStats;
  now: () => number;
}

const key = (r: StoredReading) => `${r.deviceId}\n${r.time}`;

function readingFilter(q: LiveQuery): (r: StoredReading) => boolean {
  if (q.device !== undefined) {
    const ids = new Set(q.device);
    return (r) => ids.has(r.deviceId);
  }
  const box = q.bbox;
  if (box !== undefined) return (r) => inBBox(box, r.lat, r.lon);
  return () => true;
}

/**
 * Readings with a time in [since, now] of the devices followed that the snapshot did not
 * carry, bounded in age and count; `truncated` tells the client /api/v1/series holds more.
 */
async function resync(
  deps: LiveDeps,
  deviceIds: readonly string[],
  sinceMs: number,
  alreadySent: ReadonlySet<string>,
): Promise<Extract<LiveMessage, { type: 'resync' }>> {
  const nowMs = deps.now();
  const fromMs = Math.max(sinceMs, nowMs - deps.limits.maxResyncMs);
  // Readings up to the protocol's clock-skew limit ahead of our clock are stored as sent.
  const toMs = nowMs + CLOCK_SKEW_LIMIT_MS;
  let truncated = fromMs > sinceMs;
  const readings: StoredReading[] = [];
  for (const deviceId of deviceIds) {
    const room = deps.limits.maxResyncReadings - readings.length;
    const stored = await deps.store.series({ deviceIds: [deviceId], fromMs, toMs });
    const rows = stored.filter((r) => !alreadySent.has(key(r)));
    if (rows.length > room) truncated = true;
    for (const r of rows.slice(0, room)) readings.push(r);
    if (truncated && readings.length >= deps.limits.maxResyncReadings) break;
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  return { type: 'resync', from: iso(fromMs), to: iso(toMs), truncated, readings };
}

/** One client's session: what is held while it syncs, and whether it has ended. */
class LiveSession {
  private readonly deps: LiveDeps;
  private readonly query: LiveQuery;
  private readonly transport: LiveTransport;
  private readonly matches: (r: StoredReading) => boolean;
  /** Readings that arrived during the snapshot and re-sync; null once those are sent. */
  private held: StoredReading[] | null = [];
  private ended = false;
  // The snapshot and re-sync may be large (every device of a network) and are bounded by
  // their own limits; the slow-consumer bound counts what is queued beyond them.
  private syncBytes = 0;
  private readonly unsubscribe: () => void;

  /** Subscribes first, so nothing stored while the store is read is missed. */
  constructor(deps: LiveDeps, query: LiveQuery, transport: LiveTransport) {
    this.deps = deps;
    this.query = query;
    this.transport = transport;
    this.matches = readingFilter(query);
    this.unsubscribe = deps.source.subscribe((batch) => this.onBatch(batch));
    deps.stats.liveClients += 1;
    transport.onEnd(() => this.cleanup());
  }

  private cleanup(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.deps.stats.liveClients -= 1;
  }

  private end(code: number, reason: string): void {
    if (this.ended) return;
    this.cleanup();
    this.transport.end(code, reason);
  }

  private deliver(message: LiveMessage): void {
    if (this.ended) return;
    const bytes = this.transport.send(message);
    if (this.held !== null) this.syncBytes += bytes;
    const { maxBufferedBytes } = this.deps.limits;
    if (this.transport.bufferedBytes() > maxBufferedBytes + this.syncBytes) {
      this.deps.stats.liveDropped += 1;
      this.end(SLOW_CONSUMER_CLOSE_CODE, `slow consumer: over ${maxBufferedBytes} bytes unsent`);
    }
  }

  private onBatch(batch: StoredReading[]): void {
    const mine = batch.filter(this.matches);
    if (mine.length === 0 || this.ended) return;
    if (this.held === null) return this.deliver({ type: 'readings', readings: mine });
    if (this.held.length + mine.length > this.deps.limits.maxPendingReadings) {
      this.deps.stats.liveDropped += 1;
      return this.end(SLOW_CONSUMER_CLOSE_CODE, 'slow consumer: too many readings during sync');
    }
    for (const r of mine) this.held.push(r);
  }

  /** The snapshot, the re-sync after a reconnect, then the held readings not already sent. */
  async sync(): Promise<void> {
    const { deps, query } = this;
    try {
      const snapshot = (await deps.store.latest({ deviceIds: query.device })).filter(this.matches);
      if (this.ended) return; // the client left while the store was read
      this.deliver({ type: 'snapshot', readings: snapshot });
      const sent = new Set(snapshot.map(key));
      if (query.since !== undefined) {
        const ids = query.device ?? snapshot.map((r) => r.deviceId);
        const message = await resync(deps, ids, query.since, sent);
        if (this.ended) return;
        for (const r of message.readings) sent.add(key(r));
        this.deliver(message);
      }
      const tail: StoredReading[] = (this.held ?? []).filter((r) => !sent.has(key(r)));
      if (tail.length > 0) this.deliver({ type: 'readings', readings: tail });
      this.held = null;
    } catch (error) {
      this.end(INTERNAL_ERROR_CLOSE_CODE, 'the store could not be read; reconnect with since');
      throw error;
    }
  }
}

/**
 * Runs one live client: subscribes first (holding what arrives, bounded), sends the
 * snapshot of newest readings, then — after a reconnect with `since` — the readings stored
 * since then, then the held readings not already sent, then every new batch that matches.
 * A client whose unsent bytes pass `maxBufferedBytes` (beyond the snapshot and re-sync) is
 * ended with code 4008.
 */
export async function runLiveSession(
  deps: LiveDeps,
  query: LiveQuery,
  transport: LiveTransport,
): Promise<void> {
  await new LiveSession(deps, query, transport).sync();
}
