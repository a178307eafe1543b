import type { Redis } from 'ioredis';
import { leaseKey, membersKey, type ClusterKeys } from './keys.ts';

export const DEFAULT_LEASE_MS = 10_000;

/** Renews a lease only if we still hold it (a lapsed lease may already be someone else's). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaseChanges {
  gained: number[];
  lost: number[];
}

/**
 * Which partitions this worker reads, by lease: a key per partition holding the worker's id
 * with a time to live. Live workers announce themselves in a sorted set (score = expiry);
 * each aims at its fair share, ceil(partitions / live workers): it takes free partitions up
 * to that and gives back what is over it, so a new worker gets work within a few rounds and
 * a dead worker's partitions are free once its leases lapse (`leaseMs`).
 */
export class PartitionLeases {
  readonly owned = new Set<number>();
  private readonly redis: Redis;
  private readonly keys: ClusterKeys;
  private readonly workerId: string;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(
    redis: Redis,
    keys: ClusterKeys,
    workerId: string,
    opts: { leaseMs?: number; now?: () => number } = {},
  ) {
    this.redis = redis;
    this.keys = keys;
    this.workerId = workerId;
    this.leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = opts.now ?? Date.now;
  }

  /** How often `round` should run: three renewals fit in one lease. */
  get roundMs(): number {
    return Math.floor(this.leaseMs / 3);
  }

  /** One round: announce, renew, then take or give back partitions toward the fair share. */
  async round(): Promise<LeaseChanges> {
    const nowMs = this.now();
    const members = membersKey(this.keys);
    await this.redis
      .multi()
      .zadd(members, nowMs + this.leaseMs, this.workerId)
      .zremrangebyscore(members, '-inf', nowMs)
      .exec();
    const lost = await this.renew();
    const live = Math.max(1, await this.redis.zcard(members));
    const share = Math.ceil(this.keys.partitions / live);
    const gained: number[] = [];
    if (this.owned.size < share) {
      for (const p of this.candidates()) {
        if (this.owned.size >= share) break;
        const ok = await this.redis.set(
          leaseKey(this.keys, p),
          this.workerId,
          'PX',
          this.leaseMs,
          'NX',
        );
        if (ok === 'OK') {
          this.owned.add(p);
          gained.push(p);
        }
      }
    } else {
      for (const p of [...this.owned].slice(share)) {
        await this.release(p);
        lost.push(p);
      }
    }
    return { gained, lost };
  }

  /** Gives back every lease (graceful stop): the others take them at their next round. */
  async releaseAll(): Promise<void> {
    for (const p of [...this.owned]) await this.release(p);
    await this.redis.zrem(membersKey(this.keys), this.workerId);
  }

  private async renew(): Promise<number[]> {
    const lost: number[] = [];
    for (const p of [...this.owned]) {
      const ok = await this.redis.eval(
        RENEW,
        1,
        leaseKey(this.keys, p),
        this.workerId,
        this.leaseMs,
      );
      if (ok !== 1) {
        this.owned.delete(p);
        lost.push(p);
      }
    }
    return lost;
  }

  private async release(p: number): Promise<void> {
    this.owned.delete(p);
    await this.redis.eval(RELEASE, 1, leaseKey(this.keys, p), this.workerId);
  }

  /** Partitions not ours, starting at a point picked by our id so workers do not all race. */
  private *candidates(): Generator<number> {
    const n = this.keys.partitions;
    let start = 0;
    for (let i = 0; i < this.workerId.length; i++)
      start = (start * 31 + this.workerId.charCodeAt(i)) % n;
    for (let i = 0; i < n; i++) {
      const p = (start + i) % n;
      if (!this.owned.has(p)) yield p;
    }
  }
}
