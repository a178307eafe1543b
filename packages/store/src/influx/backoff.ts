export interface BackoffOptions {
  retryMinMs: number;
  retryMaxMs: number;
  /** 0…1: the share of each delay that is random, so many workers do not retry in step. */
  retryJitter: number;
}

/**
 * Delay before retry number `attempt` (1 = first retry): exponential from retryMinMs,
 * capped at retryMaxMs, then shortened by up to `retryJitter` of itself.
 */
export function backoffMs(attempt: number, opts: BackoffOptions, random: () => number): number {
  const exponentialMs = opts.retryMinMs * 2 ** Math.max(0, attempt - 1);
  const cappedMs = Math.min(opts.retryMaxMs, exponentialMs);
  return Math.round(cappedMs * (1 - opts.retryJitter * random()));
}
