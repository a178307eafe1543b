/**
 * A token bucket per client: `ratePerS` messages a second on average, bursts up to
 * `burst` (a device reconnecting after an outage sends its backlog in batches, not as a
 * flood of single readings). Time is injected.
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
