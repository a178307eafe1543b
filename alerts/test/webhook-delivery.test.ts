import { createHmac } from 'node:crypto';
import { waitFor } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { webhookSender, type WebhookBody } from '../src/index.ts';
import { startRig, type Rig } from './fixtures/outbox.ts';
import { startReceiver, type Receiver } from './fixtures/receiver.ts';
import { event, subscription } from './fixtures/subscriptions.ts';

let rig: Rig;
let receiver: Receiver;

afterEach(async () => {
  await rig?.close();
  await receiver?.stop();
});

async function setUp(allowPrivate = true): Promise<void> {
  receiver = await startReceiver();
  rig = await startRig({ channels: { webhook: webhookSender({ allowPrivate }) } });
}

describe('webhook delivery to a local receiver', () => {
  it('POSTs the event as JSON, signed with the subscription secret, keyed for de-duplication', async () => {
    await setUp();
    const sub = subscription('sub-w', { type: 'webhook', url: receiver.url });
    rig.dispatcher.start();
    expect(await rig.dispatcher.enqueue(event(sub, 1), sub)).toBe(true);
    expect(await rig.dispatcher.enqueue(event(sub, 1), sub)).toBe(false);
    const got = await waitFor('the delivery', () => receiver.accepted[0]);
    const expected = createHmac('sha256', 'secret-of-sub-w').update(got.rawBody).digest('hex');
    expect(got.headers['x-airbox-signature']).toBe(`sha256=${expected}`);
    expect(got.headers['x-airbox-delivery']).toBe('sub-w:alert:1');
    expect(got.headers['content-type']).toBe('application/json');
    const body = JSON.parse(got.rawBody) as WebhookBody;
    expect(body).toMatchObject({
      key: 'sub-w:alert:1',
      type: 'alert',
      target: { deviceId: 'box-7' },
      valueUgM3: 62.4,
      thresholdUgM3: 35,
      locale: 'zh-TW',
    });
    expect(body.text).toContain('2026-12-08 14:05');
    expect(body.unsubscribeUrl).toMatch(
      /^https:\/\/air\.example\.org\/alerts\/unsubscribe\?token=/,
    );
    await waitFor(
      'delivered',
      async () => (await rig.registry.alertOutbox.get('sub-w:alert:1'))?.state === 'delivered',
    );
    expect(receiver.seen).toHaveLength(1);
  });

  it('a receiver down for 10 minutes gets everything afterwards, in order, once each', async () => {
    await setUp();
    const subs = ['sub-a', 'sub-b', 'sub-c'].map((id) =>
      subscription(id, { type: 'webhook', url: receiver.url }),
    );
    await receiver.stop();
    rig.dispatcher.start();
    for (let minute = 0; minute < 10; minute++) {
      for (const sub of subs) await rig.dispatcher.enqueue(event(sub, minute), sub);
      rig.clock.ms += 60_000;
      await new Promise((r) => setTimeout(r, 60));
    }
    await receiver.start();
    // The longest back-off (1 h) has passed: every subscription's head is due.
    rig.clock.ms += 3_600_000;
    await waitFor('30 deliveries', () => receiver.accepted.length >= 30 || undefined, 20_000);
    const keys = receiver.accepted.map((r) => r.headers['x-airbox-delivery'] as string);
    expect(new Set(keys).size).toBe(30);
    for (const sub of subs) {
      const mine = keys.filter((k) => k.startsWith(`${sub.id}:`));
      expect(mine).toEqual(Array.from({ length: 10 }, (_, n) => `${sub.id}:alert:${n}`));
    }
    expect(rig.dispatcher.stats.retried).toBeGreaterThan(0);
  });

  it('a 4xx is given up at once; a 503 waits at least its Retry-After', async () => {
    await setUp();
    const sub = subscription('sub-x', { type: 'webhook', url: receiver.url });
    receiver.status = 410;
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    expect(await rig.registry.alertOutbox.get('sub-x:alert:1')).toMatchObject({
      state: 'failed',
      lastError: 'HTTP 410',
    });
    receiver.status = 503;
    receiver.headers = { 'retry-after': '600' };
    await rig.dispatcher.enqueue(event(sub, 2), sub);
    await rig.dispatcher.runOnce();
    const m = await rig.registry.alertOutbox.get('sub-x:alert:2');
    expect(m).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 503' });
    expect(Date.parse(m!.nextAttemptAt) - rig.clock.ms).toBe(600_000);
  });

  it('refuses a loopback receiver unless private addresses are allowed (SSRF)', async () => {
    await setUp(false);
    const sub = subscription('sub-s', { type: 'webhook', url: receiver.url });
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    const m = await rig.registry.alertOutbox.get('sub-s:alert:1');
    expect(m?.state).toBe('failed');
    expect(m?.lastError).toContain('--webhook-allow-private');
    expect(receiver.seen).toHaveLength(0);
  });

  it('holds a message due in quiet hours until they end, then sends it', async () => {
    await setUp();
    // 06:05 UTC is 14:05 in Taipei: inside 13:00–15:00.
    const sub = subscription(
      'sub-q',
      { type: 'webhook', url: receiver.url },
      {
        quietHours: { from: '13:00', to: '15:00', timeZone: 'Asia/Taipei' },
      },
    );
    await rig.dispatcher.enqueue(event(sub, 1), sub);
    await rig.dispatcher.runOnce();
    expect(receiver.seen).toHaveLength(0);
    const held = await rig.registry.alertOutbox.get('sub-q:alert:1');
    expect(held).toMatchObject({
      state: 'pending',
      attempts: 0,
      nextAttemptAt: '2026-12-08T07:00:00.000Z',
    });
    // A test message is not held: someone is waiting for it.
    await rig.dispatcher.enqueue(event(sub, 2, { type: 'test', key: 'sub-q:test:1' }), sub);
    rig.clock.ms = Date.parse('2026-12-08T07:00:00Z');
    await rig.dispatcher.runOnce();
    await rig.dispatcher.runOnce();
    expect(receiver.accepted.map((r) => r.headers['x-airbox-delivery'])).toEqual([
      'sub-q:alert:1',
      'sub-q:test:1',
    ]);
  });

  it('refuses a malformed key alone, not the events enqueued with it', async () => {
    await setUp();
    const sub = subscription('sub-k', { type: 'webhook', url: receiver.url });
    const tries = await Promise.allSettled([
      rig.dispatcher.enqueue(event(sub, 1), sub),
      rig.dispatcher.enqueue(event(sub, 2, { key: 'x'.repeat(201) }), sub),
      rig.dispatcher.enqueue(event(sub, 3), sub),
    ]);
    expect(tries.map((t) => t.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(tries[1]).toMatchObject({ reason: { code: 'invalid-input' } });
    expect(await rig.registry.alertOutbox.get('sub-k:alert:3')).toMatchObject({ state: 'pending' });
  });
});
