import type { InboundMessage, ReadingSink } from '@airbox/contracts';
import type { Redis } from 'ioredis';
import { partitionOf, streamKey, type ClusterKeys } from './keys.ts';

/**
 * The broker side of the scaled-out ingest: each accepted reading message is appended to
 * the Redis stream of its device's partition, and only then acknowledged to the device.
 * Redis (with appendonly) holds it until the worker that leases the partition has stored it.
 * If Redis refuses (down, out of memory), `handle` rejects: the broker closes the connection
 * unacknowledged and the device sends the message again.
 */
export class StreamHandoff implements ReadingSink {
  readonly counters = { appended: 0, failures: 0 };
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;

  constructor(redis: Redis, keys: ClusterKeys) {
    this.redis = redis;
    this.keys = keys;
  }

  async handle(msg: InboundMessage): Promise<void> {
    // The device's messages stay together; a client without an id (never over MQTT) by topic.
    const key = msg.partitionKey ?? msg.clientId ?? msg.topic;
    const partition = partitionOf(key, this.keys.partitions);
    try {
      await this.redis.xadd(
        streamKey(this.keys, partition),
        '*',
        't',
        msg.topic,
        'p',
        msg.payload,
        'c',
        msg.clientId ?? '',
        'r',
        String(msg.receivedAtMs),
      );
      this.counters.appended++;
    } catch (e) {
      this.counters.failures++;
      throw new Error(`Redis stream refused the message: ${(e as Error).message}`);
    }
  }
}

/** A stream entry's fields back into the message the broker received. */
export function entryToMessage(fields: Buffer[]): InboundMessage | null {
  let topic: string | null = null;
  let payload: Buffer | null = null;
  let clientId: string | null = null;
  let receivedAtMs = NaN;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('latin1');
    const value = fields[i + 1]!;
    if (name === 't') topic = value.toString('utf8');
    else if (name === 'p') payload = value;
    else if (name === 'c') clientId = value.length === 0 ? null : value.toString('utf8');
    else if (name === 'r') receivedAtMs = Number(value.toString('latin1'));
  }
  if (topic === null || payload === null || !Number.isFinite(receivedAtMs)) return null;
  return { topic, payload, clientId, receivedAtMs };
}
