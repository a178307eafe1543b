/**
 * A token bucket on the device's clock, so that draining a backlog stays under the
 * broker's per-client rate limit: our broker refuses a PUBLISH beyond it by closing the
 * connection (MQTT 3.1.1 has no other way to say no), which would stall the drain.
 */
export class TokenBucket {
  readonly ratePerS: number;
  readonly burst: number;
  #tokens: number;
  #lastMs: number;

  constructor(ratePerS: number, burst: number, nowMs: number) {
    this.ratePerS = ratePerS;
    this.burst = burst;
    this.#tokens = burst;
    this.#lastMs = nowMs;
  }

  /** Takes `n` tokens and returns 0, or returns how many ms to wait before they are there. */
  take(n: number, nowMs: number): number {
    this.#refill(nowMs);
    const need = Math.min(n, this.burst);
    if (this.#tokens >= need) {
      this.#tokens -= need;
      return 0;
    }
    return Math.ceil(((need - this.#tokens) * 1000) / this.ratePerS);
  }

  /** Counts messages that must go now (status): later data waits for them instead. */
  charge(n: number, nowMs: number): void {
    this.#refill(nowMs);
    this.#tokens -= n;
  }

  #refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.#lastMs);
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.ratePerS) / 1000);
    this.#lastMs = nowMs;
  }
}
