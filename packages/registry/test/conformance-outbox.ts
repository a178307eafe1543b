import { describe, expect, it } from 'vitest';
import {
  OUTBOX_GIVE_UP_MS,
  backoffMs,
  type NewOutboxMessage,
  type Registry,
} from '../src/index.ts';
import type { FreshRegistry } from './conformance.ts';

const MIN = 60_000;

function message(key: string, subscriptionId = 'sub-1'): NewOutboxMessage {
  return {
    key,
    subscriptionId,
    channelJson: JSON.stringify({ type: 'webhook', url: 'http://example.org/h' }),
    locale: 'zh-TW',
    eventJson: JSON.stringify({ key, type: 'alert' }),
    quietHoursJson: null,
    areaJson: null,
  };
}

/** A registry on the same database with a clock the test turns. */
async function clocked(
  fresh: () => FreshRegistry,
): Promise<{ r: Registry; clock: { ms: number } }> {
  const clock = { ms: Date.parse('2026-12-08T00:00:00Z') };
  const r = await fresh().openAnother({ now: () => clock.ms });
  return { r, clock };
}

/** The alert outbox: part of registryConformance. */
export function outboxConformance(fresh: () => FreshRegistry): void {
  describe('alert outbox', () => {
    it('takes a key once, however often it is enqueued', async () => {
      const { r } = await clocked(fresh);
      expect(await r.alertOutbox.enqueue(message('k1'))).toBe(true);
      expect(await r.alertOutbox.enqueue({ ...message('k1'), locale: 'en' })).toBe(false);
      expect(await r.alertOutbox.get('k1')).toMatchObject({
        key: 'k1',
        locale: 'zh-TW',
        state: 'pending',
        attempts: 0,
      });
      expect(await r.alertOutbox.get('nothing')).toBeNull();
    });

    it('enqueues many in one commit, each key once, and marks many delivered', async () => {
      const { r } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('m1'));
      expect(
        await r.alertOutbox.enqueueMany([
          message('m1'),
          message('m2'),
          message('m2'),
          message('m3'),
        ]),
      ).toEqual([false, true, false, true]);
      await r.alertOutbox.markDeliveredMany(['m1', 'm3']);
      const states = await r.alertOutbox.listRecent({ limit: 10 });
      expect(states.map((m) => [m.key, m.state])).toEqual([
        ['m3', 'delivered'],
        ['m2', 'pending'],
        ['m1', 'delivered'],
      ]);
    });

    it('leases one message per subscription at a time, oldest first, to one dispatcher', async () => {
      const { r, clock } = await clocked(fresh);
      const other = await fresh().openAnother({ now: () => clock.ms });
      for (const k of ['a1', 'a2', 'a3']) await r.alertOutbox.enqueue(message(k, 'sub-a'));
      await r.alertOutbox.enqueue(message('b1', 'sub-b'));
      const first = await r.alertOutbox.claimDue('node-1', 10, MIN);
      expect(first.map((m) => m.key)).toEqual(['a1', 'b1']);
      // Leased: another dispatcher gets nothing, and a2 waits behind a1.
      expect(await other.alertOutbox.claimDue('node-2', 10, MIN)).toEqual([]);
      await r.alertOutbox.markDelivered('a1');
      expect((await r.alertOutbox.claimDue('node-1', 10, MIN)).map((m) => m.key)).toEqual(['a2']);
      expect(await r.alertOutbox.get('a1')).toMatchObject({ state: 'delivered', attempts: 1 });
    });

    it('gives a dead dispatcher’s lease to another once it runs out', async () => {
      const { r, clock } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('k'));
      expect(await r.alertOutbox.claimDue('dead', 10, MIN)).toHaveLength(1);
      expect(await r.alertOutbox.claimDue('alive', 10, MIN)).toHaveLength(0);
      clock.ms += MIN;
      expect((await r.alertOutbox.claimDue('alive', 10, MIN)).map((m) => m.key)).toEqual(['k']);
    });

    it('retries after a growing back-off, holding the subscription’s later messages', async () => {
      const { r, clock } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('k1'));
      await r.alertOutbox.enqueue(message('k2'));
      await r.alertOutbox.claimDue('n', 10, MIN);
      expect(await r.alertOutbox.markRetry('k1', 'HTTP 503')).toBe('pending');
      expect(await r.alertOutbox.get('k1')).toMatchObject({ attempts: 1, lastError: 'HTTP 503' });
      clock.ms += backoffMs(1) - 1;
      expect(await r.alertOutbox.claimDue('n', 10, MIN)).toEqual([]);
      clock.ms += 1;
      expect((await r.alertOutbox.claimDue('n', 10, MIN)).map((m) => m.key)).toEqual(['k1']);
      // The receiver's Retry-After, when longer, is honoured.
      await r.alertOutbox.markRetry('k1', 'HTTP 429', 10 * MIN);
      clock.ms += 10 * MIN - 1;
      expect(await r.alertOutbox.claimDue('n', 10, MIN)).toEqual([]);
      expect(backoffMs(1)).toBe(30_000);
      expect(backoffMs(2)).toBe(60_000);
      expect(backoffMs(50)).toBe(3_600_000);
    });

    it('gives up after 24 h, and a permanent failure at once; neither blocks the next', async () => {
      const { r, clock } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('k1'));
      await r.alertOutbox.enqueue(message('k2'));
      await r.alertOutbox.enqueue(message('k3'));
      clock.ms += OUTBOX_GIVE_UP_MS;
      await r.alertOutbox.claimDue('n', 10, MIN);
      expect(await r.alertOutbox.markRetry('k1', 'HTTP 500')).toBe('failed');
      expect(await r.alertOutbox.get('k1')).toMatchObject({ state: 'failed' });
      expect((await r.alertOutbox.claimDue('n', 10, MIN)).map((m) => m.key)).toEqual(['k2']);
      await r.alertOutbox.markFailed('k2', 'HTTP 410');
      expect(await r.alertOutbox.get('k2')).toMatchObject({
        state: 'failed',
        lastError: 'HTTP 410',
      });
      expect((await r.alertOutbox.claimDue('n', 10, MIN)).map((m) => m.key)).toEqual(['k3']);
    });

    it('holds a message (quiet hours) without counting a try', async () => {
      const { r, clock } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('k'));
      await r.alertOutbox.claimDue('n', 10, MIN);
      await r.alertOutbox.defer('k', clock.ms + 60 * MIN);
      clock.ms += 59 * MIN;
      expect(await r.alertOutbox.claimDue('n', 10, MIN)).toEqual([]);
      clock.ms += MIN;
      expect(await r.alertOutbox.claimDue('n', 10, MIN)).toMatchObject([{ key: 'k', attempts: 0 }]);
    });

    it('lists newest first by subscription and state, public areas apart, and prunes', async () => {
      const { r, clock } = await clocked(fresh);
      await r.alertOutbox.enqueue(message('x1', 'sub-x'));
      await r.alertOutbox.enqueue({ ...message('x2', 'sub-x'), areaJson: '{"county":"臺北市"}' });
      await r.alertOutbox.enqueue(message('y1', 'sub-y'));
      await r.alertOutbox.markDelivered('x1');
      const keys = (ms: { key: string }[]) => ms.map((m) => m.key);
      expect(keys(await r.alertOutbox.listRecent({ subscriptionId: 'sub-x', limit: 10 }))).toEqual([
        'x2',
        'x1',
      ]);
      expect(keys(await r.alertOutbox.listRecent({ state: 'pending', limit: 10 }))).toEqual([
        'y1',
        'x2',
      ]);
      expect(await r.alertOutbox.listRecentAreas(10)).toMatchObject([
        { key: 'x2', areaJson: '{"county":"臺北市"}' },
      ]);
      clock.ms += MIN;
      expect(await r.alertOutbox.prune(clock.ms)).toBe(1);
      expect(keys(await r.alertOutbox.listRecent({ limit: 10 }))).toEqual(['y1', 'x2']);
    });

    it('keeps one server key per name, across registries on the database', async () => {
      const { r } = await clocked(fresh);
      const key = await r.alertOutbox.serverKey('unsubscribe');
      expect(key).toHaveLength(32);
      expect(await fresh().registry.alertOutbox.serverKey('unsubscribe')).toEqual(key);
      expect(await r.alertOutbox.serverKey('other')).not.toEqual(key);
    });
  });
}
