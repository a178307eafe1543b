import { RecentMap } from './recent-map.ts';

/**
 * A token bucket: `ratePerS` messages a second on average, bursts up to `burst` (a device
 * reconnecting after an outage sends its backlog in batches, not as a flood of single
 * readings). Time is injected.
 */
export class TokenBucket {
  private readonly ratePerS: number;
  private readonly burst: number;
  private tokens: number;
  private lastMs: number;

  constructor(ratePerS: number, burst: number, nowMs: number) {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.tokens = burst;
    this.lastMs = nowMs;
  }

  take(nowMs: number): boolean {
    this.tokens = Math.min(
      this.burst,
      this.tokens + ((nowMs - this.lastMs) / 1000) * this.ratePerS,
    );
    this.lastMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Buckets kept at most (a few MB); beyond, the least recently used is dropped. */
export const DEFAULT_MAX_BUCKETS = 100_000;

/**
 * One token bucket per device, kept across its connections: a box that reconnects finds
 * its bucket as it left it, not full again. A bucket idle long enough to be full again is
 * dropped, which changes nothing (a new one starts full); `maxBuckets` bounds the rest.
 */
export class DeviceBuckets {
  private readonly buckets: RecentMap<TokenBucket>;
  private readonly ratePerS: number;
  private readonly burst: number;

  constructor(ratePerS: number, burst: number, maxBuckets = DEFAULT_MAX_BUCKETS) {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.buckets = new RecentMap(maxBuckets, (burst / ratePerS) * 1000);
  }

  /** Devices whose bucket is kept now (for /metrics). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes a token from this device's bucket; false when it has none. */
  take(deviceKey: string, nowMs: number): boolean {
    return this.buckets
      .use(deviceKey, nowMs, () => new TokenBucket(this.ratePerS, this.burst, nowMs))
      .take(nowMs);
  }
}
