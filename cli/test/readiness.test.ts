import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { StreamWorker } from '@airbox/ingest';
import { EventLoopLag, type LagStats } from '../src/loop-lag.ts';
import { READY_MAX_LAG_MS, READY_MAX_LAG_P99_MS, serveReadiness } from '../src/serve/readiness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('event-loop lag', () => {
  it('sees a stall as its max, near 0 when idle, and forgets it after the window', async () => {
    const lag = new EventLoopLag(1000);
    try {
      await sleep(100);
      expect(lag.stats().p50Ms).toBeLessThan(20);
      blockFor(400);
      await sleep(30);
      const stalled = lag.stats();
      expect(stalled.maxMs).toBeGreaterThan(350);
      expect(stalled.maxMs).toBeLessThan(2000);
      await sleep(1300);
      expect(lag.stats().maxMs).toBeLessThan(200);
    } finally {
      lag.stop();
    }
  });
});

describe('serve readiness', () => {
  const calm: LagStats = { p50Ms: 0.2, p99Ms: 3, maxMs: 20 };
  const worker = { pendingReadings: 0, maxPendingReadings: 100_000 };
  const flowing = { paused: false, heldCount: 0 };

  it('is ready on a calm loop with room in the write queue', () => {
    expect(serveReadiness({ windowMs: 10_000, stats: () => calm }, worker, flowing)()).toEqual([]);
  });

  it('says why not: a busy loop, one long stall, a write queue near its bound', () => {
    const busy = { windowMs: 10_000, stats: () => ({ ...calm, p99Ms: READY_MAX_LAG_P99_MS + 1 }) };
    expect(serveReadiness(busy, worker, flowing)()).toEqual([
      {
        code: 'event-loop-lag',
        message: expect.stringMatching(
          /^event-loop delay over the last 10 s: p99 501 ms, max 20 ms/,
        ),
      },
    ]);
    const stall = { windowMs: 10_000, stats: () => ({ ...calm, maxMs: READY_MAX_LAG_MS + 1 }) };
    expect(serveReadiness(stall, worker, flowing)().map((r) => r.code)).toEqual(['event-loop-lag']);
    const full = { pendingReadings: 85_000, maxPendingReadings: 100_000 };
    expect(serveReadiness({ windowMs: 10_000, stats: () => calm }, full, flowing)()).toEqual([
      {
        code: 'write-queue-full',
        message: "85000 readings wait for the store, 85 % of the write queue's bound 100000",
      },
    ]);
  });

  it('is not ready while the broker holds PUBLISHes back for the loop', () => {
    const paused = { paused: true, heldCount: 1200 };
    expect(serveReadiness({ windowMs: 10_000, stats: () => calm }, worker, paused)()).toEqual([
      {
        code: 'ingest-paused',
        message: expect.stringMatching(/holds 1200 PUBLISHes until the event loop catches up/),
      },
    ]);
  });

  it("reads the stream worker's own bound", () => {
    const store = openSqliteStore({ path: ':memory:' });
    expect(new StreamWorker({ store }).maxPendingReadings).toBe(100_000);
    expect(new StreamWorker({ store, maxPendingReadings: 50 }).maxPendingReadings).toBe(50);
  });
});
