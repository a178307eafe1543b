import {
  checkPartitionCount,
  connectRedis,
  DEFAULT_PARTITIONS,
  DEFAULT_PREFIX,
  ensureGroups,
  type ClusterKeys,
} from '@airbox/ingest';
import type { Redis } from 'ioredis';
import { UsageError } from './io.ts';

/** The flags that join a process to a scaled-out deployment (serve and worker). */
export const CLUSTER_OPTIONS = {
  redis: { type: 'string' },
  partitions: { type: 'string' },
} as const;

export const CLUSTER_USAGE = `scale-out (see deploy/README.md):
  --redis URL              redis://host:6379/0 — the Redis the brokers and workers share
  --partitions N           stream partitions, fixed for a deployment (default ${DEFAULT_PARTITIONS});
                           every broker and worker must agree (checked in Redis)`;

export interface Cluster {
  redis: Redis;
  keys: ClusterKeys;
}

/** Connects to the deployment's Redis when --redis is given; null on embedded defaults. */
export async function joinCluster(
  v: { redis?: string; partitions?: string },
  name: string,
  opts: { failFast?: boolean } = {},
): Promise<Cluster | null> {
  if (v.redis === undefined) {
    if (v.partitions !== undefined) throw new UsageError('--partitions needs --redis');
    return null;
  }
  const partitions = v.partitions === undefined ? DEFAULT_PARTITIONS : Number(v.partitions);
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new UsageError(`--partitions must be an integer 1–1024, got '${v.partitions}'`);
  }
  let redis: Redis;
  try {
    redis = await connectRedis(v.redis, name, opts);
  } catch (e) {
    throw new UsageError(`--redis: ${(e as Error).message}`);
  }
  const keys = { prefix: DEFAULT_PREFIX, partitions };
  try {
    await checkPartitionCount(redis, keys);
    await ensureGroups(redis, keys);
  } catch (e) {
    redis.disconnect();
    throw new UsageError(`--partitions: ${(e as Error).message}`);
  }
  return { redis, keys };
}
