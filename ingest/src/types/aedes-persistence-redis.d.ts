// aedes-persistence-redis ships no types. Given an ioredis connection (`conn`), it returns an
// Aedes persistence keeping sessions, retained messages and offline QoS 1 queues in Redis.
declare module 'aedes-persistence-redis' {
  import type { Redis } from 'ioredis';
  export interface AedesRedisPersistence {
    destroy(): Promise<void> | void;
  }
  export default function redisPersistence(opts: {
    conn: Redis;
    maxSessionDelivery?: number;
  }): AedesRedisPersistence;
}
