import type { StoredReading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { ApiStats } from '../src/api-stats.ts';
import {
  runLiveSession,
  SLOW_CONSUMER_CLOSE_CODE,
  type LiveTransport,
} from '../src/live/session.ts';
import { DEFAULT_LIVE_LIMITS } from '../src/options.ts';
import type { LiveMessage } from '../src/schemas.ts';
import { apiWith, MINUTE_MS, reading, T0 } from './helpers.ts';

/** A client that never reads: every byte sent stays queued. */
function stuckClient() {
  const sent: LiveMessage[] = [];
  let queuedBytes = 0;
  let ended: { code: number; reason: string } | null = null;
  const transport: LiveTransport = {
    send: (m) => {
      sent.push(m);
      const bytes = JSON.stringify(m).length;
      queuedBytes += bytes;
      return bytes;
    },
    bufferedBytes: () => queuedBytes,
    end: (code, reason) => void (ended = { code, reason }),
    onEnd: () => {},
  };
  return { transport, sent, ended: () => ended };
}

function bus() {
  const listeners = new Set<(r: StoredReading[]) => void>();
  return {
    subscribe: (l: (r: StoredReading[]) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    publish: (r: StoredReading[]) => listeners.forEach((l) => l(r)),
    get size() {
      return listeners.size;
    },
  };
}

describe('live session bounds (in memory)', () => {
  it('counts only what is queued beyond the snapshot against maxBufferedBytes', async () => {
    const network = Array.from({ length: 100 }, (_, i) => reading(`box-${i}`, T0));
    const { store } = await apiWith(network);
    const source = bus();
    const stats = new ApiStats();
    const client = stuckClient();
    const limits = { ...DEFAULT_LIVE_LIMITS, maxBufferedBytes: 2048 };
    await runLiveSession({ store, source, limits, stats, now: () => T0 }, {}, client.transport);
    // The ~45 kB snapshot is queued, far over 2 kB, and the client is still served.
    expect(client.sent[0]?.readings).toHaveLength(100);
    expect(client.ended()).toBeNull();
    source.publish([reading('box-1', T0 + MINUTE_MS)]); // ~450 B more: within the bound
    expect(client.ended()).toBeNull();
    for (let i = 2; i < 10 && client.ended() === null; i++) {
      source.publish([reading('box-1', T0 + i * MINUTE_MS)]);
    }
    expect(client.ended()).toEqual({
      code: SLOW_CONSUMER_CLOSE_CODE,
      reason: 'slow consumer: over 2048 bytes unsent',
    });
    // Dropped by the batch that took the tail past 2 kB, not before.
    const tailBytes = client.sent.slice(1).map((m) => JSON.stringify(m).length);
    const total = tailBytes.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(2048);
    expect(total - (tailBytes.at(-1) ?? 0)).toBeLessThanOrEqual(2048);
    expect(source.size).toBe(0);
    expect(stats).toMatchObject({ liveClients: 0, liveDropped: 1 });
  });

  it('drops a client when too many readings arrive while its snapshot is read', async () => {
    const { store } = await apiWith([reading('a', T0)]);
    const source = bus();
    const stats = new ApiStats();
    const client = stuckClient();
    const limits = { ...DEFAULT_LIVE_LIMITS, maxPendingReadings: 10 };
    const running = runLiveSession(
      { store, source, limits, stats, now: () => T0 },
      {},
      client.transport,
    );
    // Still reading the snapshot (the store answers on a later tick): readings pile up.
    source.publish(Array.from({ length: 11 }, (_, i) => reading(`d${i}`, T0)));
    await running;
    expect(client.ended()).toEqual({
      code: SLOW_CONSUMER_CLOSE_CODE,
      reason: 'slow consumer: too many readings during sync',
    });
    expect(client.sent).toEqual([]);
  });
});
