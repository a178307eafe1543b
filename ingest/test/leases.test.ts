import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { requireBinary, startRedis, type TestServer } from '@airbox/testkit';
import { checkPartitionCount, partitionOf, PartitionLeases } from '../src/index.ts';

let server: TestServer;
let redis: Redis;
beforeAll(async () => {
  await requireBinary('redis-server');
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('partition leases (real Redis)', () => {
  it('a lone worker takes every partition; a second gets half; a dead one’s go to the survivor', async () => {
    const keys = { prefix: 'leases-1', partitions: 16 };
    const a = new PartitionLeases(redis, keys, 'a', { leaseMs: 600 });
    const b = new PartitionLeases(redis, keys, 'b', { leaseMs: 600 });
    await a.round();
    expect(a.owned.size).toBe(16);

    await b.round(); // nothing free yet: a holds all
    expect(b.owned.size).toBe(0);
    await a.round(); // a sees two workers: gives back to its share
    await b.round();
    expect([a.owned.size, b.owned.size]).toEqual([8, 8]);
    expect([...a.owned].some((p) => b.owned.has(p))).toBe(false);

    // a dies (no more rounds): once its leases lapse, b takes everything.
    await sleep(700);
    await b.round();
    expect(b.owned.size).toBe(16);
  });

  it('a lease lost to another worker is reported lost, not renewed', async () => {
    const keys = { prefix: 'leases-2', partitions: 2 };
    const a = new PartitionLeases(redis, keys, 'a', { leaseMs: 300 });
    await a.round();
    await sleep(400); // lapsed while a was stalled…
    const b = new PartitionLeases(redis, keys, 'b', { leaseMs: 300 });
    await b.round(); // …and taken
    const changes = await a.round();
    expect(changes.lost.sort()).toEqual([0, 1]);
    expect(a.owned.size).toBe(0);
  });

  it('brokers and workers that disagree on the partition count are refused, naming both', async () => {
    await checkPartitionCount(redis, { prefix: 'parts', partitions: 16 });
    await expect(checkPartitionCount(redis, { prefix: 'parts', partitions: 8 })).rejects.toThrow(
      /uses 16 partitions, not 8: give every broker and worker --partitions 16/,
    );
  });

  it('a device always lands in the same partition, and devices spread over all of them', () => {
    expect(partitionOf('box-1', 16)).toBe(partitionOf('box-1', 16));
    const used = new Set(Array.from({ length: 1000 }, (_, i) => partitionOf(`box-${i}`, 16)));
    expect(used.size).toBe(16);
  });
});
