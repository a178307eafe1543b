import type { Client } from 'aedes';
import { TokenBucket } from '../rate-limit.ts';
import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: a box sends at most `ratePerS` messages a second, in bursts up to `burst`, one
 * bucket per connection. Service accounts (the reference feed, relays) speak for many
 * stations at once and are not limited.
 */
export function withinRateLimit(ratePerS: number, burst: number): PublishCheck {
  const buckets = new WeakMap<Client, TokenBucket>();
  return ({ who, client, receivedAtMs }) => {
    if (who.role === 'service') return PASS;
    let bucket = buckets.get(client);
    if (bucket === undefined) {
      bucket = new TokenBucket(ratePerS, burst, receivedAtMs);
      buckets.set(client, bucket);
    }
    return bucket.take(receivedAtMs)
      ? PASS
      : refusal(
          'rate-limited',
          `more than ${ratePerS} messages/s (burst ${burst}) from ${client.id}`,
        );
  };
}
