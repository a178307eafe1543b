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
  const { limits, stats } = deps;
  const matches = readingFilter(query);
  let held: StoredReading[] | null = [];
  let ended = false;
  // The snapshot and re-sync may be large (every device of a network) and are bounded by
  // their own limits; the slow-consumer bound counts what is queued beyond them.
  let syncBytes = 0;

  const cleanup = () => {
    if (ended) return;
    ended = true;
    unsubscribe();
    stats.liveClients -= 1;
  };
  const end = (code: number, reason: string) => {
    if (ended) return;
    cleanup();
    transport.end(code, reason);
  };
  const deliver = (message: LiveMessage) => {
    if (ended) return;
    const bytes = transport.send(message);
    if (held !== null) syncBytes += bytes;
    if (transport.bufferedBytes() > limits.maxBufferedBytes + syncBytes) {
      stats.liveDropped += 1;
      end(SLOW_CONSUMER_CLOSE_CODE, `slow consumer: over ${limits.maxBufferedBytes} bytes unsent`);
    }
  };

  const unsubscribe = deps.source.subscribe((batch) => {
    const mine = batch.filter(matches);
    if (mine.length === 0 || ended) return;
    if (held === null) return deliver({ type: 'readings', readings: mine });
    if (held.length + mine.length > limits.maxPendingReadings) {
      stats.liveDropped += 1;
      return end(SLOW_CONSUMER_CLOSE_CODE, 'slow consumer: too many readings during sync');
    }
    for (const r of mine) held.push(r);
  });
  stats.liveClients += 1;
  transport.onEnd(cleanup);

  try {
    const snapshot = (await deps.store.latest({ deviceIds: query.device })).filter(matches);
    if (ended) return; // the client left while the store was read
    deliver({ type: 'snapshot', readings: snapshot });
    const sent = new Set(snapshot.map(key));
    if (query.since !== undefined) {
      const ids = query.device ?? snapshot.map((r) => r.deviceId);
      const message = await resync(deps, ids, query.since, sent);
      if (ended) return;
      for (const r of message.readings) sent.add(key(r));
      deliver(message);
    }
    const tail: StoredReading[] = (held ?? []).filter((r) => !sent.has(key(r)));
    if (tail.length > 0) deliver({ type: 'readings', readings: tail });
    held = null;
  } catch (error) {
    end(INTERNAL_ERROR_CLOSE_CODE, 'the store could not be read; reconnect with since');
    throw error;
  }
}
