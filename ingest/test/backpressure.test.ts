import { afterEach, describe, expect, it } from 'vitest';
import { PublishBackpressure } from '../src/broker/backpressure.ts';

/**
 * What the broker asks before it handles a PUBLISH (the flood against a real serve is in
 * cli/test/serve-backpressure.test.ts): a bounded share a turn, the rest held in order,
 * and nothing while the event loop runs late.
 */
const made: PublishBackpressure[] = [];
afterEach(() => made.splice(0).forEach((b) => b.stop()));

function backpressure(lagLimitMs: number, log?: (event: string) => void): PublishBackpressure {
  const b = new PublishBackpressure({ lagLimitMs, log });
  made.push(b);
  return b;
}

const nextTurn = () => new Promise((r) => setImmediate(r));

function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('PublishBackpressure', () => {
  it('lets 256 small PUBLISHes through a turn and the rest in the next turns, in order', async () => {
    const b = backpressure(0);
    const order: number[] = [];
    const answers = Array.from({ length: 600 }, (_, i) => {
      const held = b.admit(150);
      if (held === null) order.push(i);
      else void held.then(() => order.push(i));
      return held;
    });
    expect(answers.filter((a) => a === null)).toHaveLength(256);
    expect(b.heldCount).toBe(344);
    await nextTurn();
    expect(order).toHaveLength(512);
    await nextTurn();
    expect(order).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(b.heldCount).toBe(0);
  });

  it('counts a batch by its bytes: two of 40 KB are not handled in one turn', async () => {
    const b = backpressure(0);
    expect(b.admit(40_000)).toBeNull();
    const second = b.admit(40_000);
    expect(second).not.toBeNull();
    await second;
    // One far over the turn's bytes still goes, alone, first in its turn.
    await nextTurn();
    expect(b.admit(1_000_000)).toBeNull();
  });

  it('holds everything while the loop runs late, and lets it go once the loop is back', async () => {
    const events: string[] = [];
    const b = backpressure(50, (e) => events.push(e));
    await new Promise((r) => setTimeout(r, 60));
    blockFor(300);
    await new Promise((r) => setTimeout(r, 0));
    expect(b.paused).toBe(true);
    expect(b.pauses).toBe(1);
    expect(events).toEqual(['ingest-paused']);
    const held = b.admit(100);
    expect(held).not.toBeNull();
    await held;
    expect(b.paused).toBe(false);
    expect(b.pausedSeconds).toBeGreaterThan(0);
  });

  it('lets what it holds go when the broker closes', async () => {
    const b = backpressure(0);
    for (let i = 0; i < 256; i++) expect(b.admit(10)).toBeNull();
    const held = b.admit(10);
    b.stop();
    await expect(held).resolves.toBeUndefined();
  });
});
