import { TokenBucket } from './rate-limit.ts';
import { RecentMap } from './recent-map.ts';

/** Defaults of `airbox serve`: legacy LASS fleets are hundreds of boxes, not thousands. */
export const DEFAULT_ANONYMOUS_IDS_PER_MINUTE = 600;
/** An id not heard from for this long counts as new again. */
const FORGET_AFTER_MS = 3_600_000;
/** Anonymous ids kept at most; beyond, the least recently heard is forgotten. */
const MAX_KNOWN_IDS = 100_000;

/**
 * The device_ids anonymous LASS boxes sent lately, and a budget for new ones: `perMinute`
 * new ids a minute on average, in bursts of as many. Boxes already heard from pass freely;
 * a reconnect loop making up thousands of boxes a second runs out after the first burst.
 */
export class AnonymousIds {
  private readonly known = new RecentMap<true>(MAX_KNOWN_IDS, FORGET_AFTER_MS);
  private readonly budget: TokenBucket;

  constructor(perMinute: number, nowMs: number) {
    this.budget = new TokenBucket(perMinute / 60, perMinute, nowMs);
  }

  /** Ids kept now (for /metrics). */
  get size(): number {
    return this.known.size;
  }

  /** Is this id known, or is there budget left for a new one (which it then takes)? */
  admit(deviceId: string, nowMs: number): boolean {
    if (!this.known.has(deviceId, nowMs) && !this.budget.take(nowMs)) return false;
    this.known.use(deviceId, nowMs, () => true);
    return true;
  }
}
