import type { Redis } from 'ioredis';

/**
 * The Redis names the scaled-out deployment shares. One prefix, so a Redis can hold two
 * deployments (tests run several on one server) and an operator can find every key.
 */
export interface ClusterKeys {
  prefix: string;
  partitions: number;
}

export const DEFAULT_PARTITIONS = 16;
export const DEFAULT_PREFIX = 'airbox';
/** The one consumer group every worker joins (entries of a partition go to its lease holder). */
export const CONSUMER_GROUP = 'workers';

export const streamKey = (k: ClusterKeys, partition: number): string =>
  `${k.prefix}:readings:${partition}`;
export const leaseKey = (k: ClusterKeys, partition: number): string =>
  `${k.prefix}:lease:${partition}`;
export const membersKey = (k: ClusterKeys): string => `${k.prefix}:workers`;
export const liveChannel = (k: ClusterKeys): string => `${k.prefix}:live`;
export const rawChannel = (k: ClusterKeys): string => `${k.prefix}:raw`;
/** Hash: device id → until when (epoch ms) some node's maker page watches its raw messages. */
export const rawWatchKey = (k: ClusterKeys): string => `${k.prefix}:raw:watched`;
const partitionsKey = (k: ClusterKeys): string => `${k.prefix}:partitions`;

/**
 * The partition of a device: FNV-1a (32 bit) of its key, modulo the partition count. Every
 * message of one device lands in one partition, so one worker at a time sees its whole
 * history (QC checks against the previous readings, de-duplication of re-sent backlogs).
 */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * The partition count is fixed for a deployment: a broker and a worker that disagree would
 * put a device's messages where nobody reads them. The first process records it; the others
 * must match, or they refuse to start with a message naming both numbers.
 */
export async function checkPartitionCount(redis: Redis, k: ClusterKeys): Promise<void> {
  if (!Number.isInteger(k.partitions) || k.partitions < 1 || k.partitions > 1024) {
    throw new Error(`partitions must be an integer 1–1024, got ${k.partitions}`);
  }
  await redis.set(partitionsKey(k), String(k.partitions), 'NX');
  const recorded = Number(await redis.get(partitionsKey(k)));
  if (recorded !== k.partitions) {
    throw new Error(
      `this deployment (Redis prefix '${k.prefix}') uses ${recorded} partitions, not ${k.partitions}: give every broker and worker --partitions ${recorded}`,
    );
  }
}

/** Creates the consumer group of every partition (idempotent; includes entries already added). */
export async function ensureGroups(redis: Redis, k: ClusterKeys): Promise<void> {
  for (let p = 0; p < k.partitions; p++) {
    try {
      await redis.xgroup('CREATE', streamKey(k, p), CONSUMER_GROUP, '0', 'MKSTREAM');
    } catch (e) {
      if (!String((e as Error).message).includes('BUSYGROUP')) throw e;
    }
  }
}
