export * from './keys.ts';
export { connectRedis, redactUrl } from './redis.ts';
export { StreamHandoff } from './stream-handoff.ts';
export { PartitionLeases, DEFAULT_LEASE_MS } from './leases.ts';
export { StreamConsumer, type StreamConsumerOptions } from './stream-consumer.ts';
export { publishLive, relayLive } from './live-relay.ts';
export { startRawRelay, type RawRelay, type RawRelayOptions } from './raw-relay.ts';
