import { mkdirSync } from 'node:fs';
import type { Aedes } from 'aedes';
import levelPersistence from 'aedes-persistence-level';
import redisPersistence from 'aedes-persistence-redis';
import type { Redis } from 'ioredis';
import { Level } from 'level';
import mqemitterRedis from 'mqemitter-redis';

/** Where Aedes keeps sessions, retained and queued QoS 1 messages, and how brokers talk. */
export interface BrokerPersistence {
  /** For Aedes.createBroker; undefined keeps them in memory, in this process. */
  persistence: unknown;
  mq: unknown;
  /** Releases what was opened, once Aedes is closed. */
  close(aedes: Aedes): Promise<void>;
}

/**
 * Scaled out (`redis`): sessions and retained messages in Redis and messages between
 * brokers through it, so several brokers act as one. Else a LevelDB directory, or memory.
 */
export function openPersistence(
  redis: Redis | null | undefined,
  persistenceDir: string | null,
): BrokerPersistence {
  let db: Level | null = null;
  let persistence: unknown;
  let mq: unknown;
  if (redis) {
    // Their own connections (a subscriber connection cannot run commands), without our
    // stream append's fail-fast and pipelining: these wait for Redis as their authors expect.
    const own = () => redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null });
    persistence = redisPersistence({ conn: own() });
    mq = mqemitterRedis({ pubConn: own(), subConn: own() });
  } else if (persistenceDir !== null) {
    mkdirSync(persistenceDir, { recursive: true });
    db = new Level(persistenceDir);
    persistence = levelPersistence(db);
  }
  return {
    persistence,
    mq,
    async close(aedes) {
      // Flushes and releases the store; TOOLING: without it tests hang.
      await (
        aedes as unknown as { persistence: { destroy(): Promise<void> } }
      ).persistence.destroy();
      await db?.close();
    },
  };
}
