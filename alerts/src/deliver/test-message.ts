import type { AlertOutboxStore, OutboxMessage } from '@airbox/registry';
import type { AlertEvent, Subscription } from '../types.ts';
import { toOutboxMessage } from './envelope.ts';

/** `airbox alerts test ID`: a test event, a key of its own each time it is asked for. */
export function testEvent(
  subscription: Subscription,
  targetLabel: string,
  nowMs: number,
): AlertEvent {
  const at = new Date(nowMs).toISOString();
  return {
    key: `${subscription.id}:test:${at}`,
    subscriptionId: subscription.id,
    type: 'test',
    kind: subscription.kind,
    at,
    deviceIds: 'deviceId' in subscription.target ? [subscription.target.deviceId] : [],
    targetLabel,
    valueUgM3: null,
    thresholdUgM3: subscription.thresholdUgM3,
    category: null,
  };
}

/**
 * Enqueues a test message into the outbox (a running server's dispatcher sends it) and
 * waits until it is delivered or failed, or `waitMs` passed; returns the message as it then is.
 */
export async function sendTest(
  outbox: AlertOutboxStore,
  subscription: Subscription,
  options: { targetLabel: string; nowMs: number; waitMs: number; pollMs?: number },
): Promise<OutboxMessage> {
  const event = testEvent(subscription, options.targetLabel, options.nowMs);
  await outbox.enqueue(toOutboxMessage(event, subscription));
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const m = await outbox.get(event.key);
    if (m === null) throw new Error(`test message ${event.key} vanished from the outbox`);
    if (m.state !== 'pending' || Date.now() >= deadline) return m;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
  }
}
