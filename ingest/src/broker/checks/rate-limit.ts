import type { DeviceBuckets } from '../rate-limit.ts';
import { publisherKey, type PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: a box sends at most `ratePerS` messages a second, in bursts up to `burst`, one
 * bucket per device (publisherKey), not per connection: reconnecting does not refill it.
 * Service accounts (the reference feed, relays) speak for many stations at once and are
 * not limited.
 */
export function withinRateLimit(
  buckets: DeviceBuckets,
  ratePerS: number,
  burst: number,
): PublishCheck {
  return (ctx) => {
    if (ctx.who.role === 'service') return PASS;
    const device = publisherKey(ctx);
    return buckets.take(device, ctx.receivedAtMs)
      ? PASS
      : refusal(
          'rate-limited',
          `more than ${ratePerS} messages/s (burst ${burst}) from device ${device} (client ${ctx.client.id})`,
        );
  };
}
