import type { StoredReading } from '@airbox/contracts';
import type { Redis } from 'ioredis';
import type { LiveBus } from '../worker/live.ts';
import { liveChannel, type ClusterKeys } from './keys.ts';

/**
 * Calibrated readings stored by a worker reach every API node's live map: the worker
 * publishes each stored batch on a Redis channel and each node relays it into its own bus.
 * Pub/sub is fire-and-forget, as a live view may be: a node that reconnects re-syncs
 * its clients from the store (`since`).
 */
export function publishLive(bus: LiveBus, redis: Redis, keys: ClusterKeys): () => void {
  const channel = liveChannel(keys);
  return bus.subscribe((readings) => {
    redis.publish(channel, JSON.stringify(readings)).catch(() => {});
  });
}

export async function relayLive(
  bus: LiveBus,
  redis: Redis,
  keys: ClusterKeys,
): Promise<() => Promise<void>> {
  const sub = redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null });
  sub.on('error', () => {});
  const channel = liveChannel(keys);
  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    try {
      bus.publish(JSON.parse(text) as StoredReading[]);
    } catch {
      // A message that is not ours: a live view drops it.
    }
  });
  await sub.subscribe(channel);
  return async () => {
    sub.disconnect();
  };
}
