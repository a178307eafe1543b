/**
 * Sign-in attempts, limited per account and per address (OWASP ASVS 4.0 §2.2.1): after a few
 * failures an account's next attempt must wait (1 s, 2 s, 4 s … at most a minute), after more
 * it is locked for a while; an address that keeps failing, on any accounts, is blocked. An
 * e-mail nobody registered is counted like a real one, so the answers tell nothing about
 * which accounts exist. A refused attempt never reaches the password hash: a flood costs no
 * scrypt time. Both maps are bounded; when full the oldest entry goes.
 */
export interface SignInLimits {
  /** Failures of one account answered at once before the next must wait. Default 5. */
  freeFailures: number;
  /** Failures of one account within `windowMs` that lock it for `lockMs`. Default 20. */
  lockAfter: number;
  /** Failures from one address within `windowMs` that block it for `lockMs`. Default 100. */
  perAddress: number;
  /** Default 15 minutes. */
  windowMs: number;
  /** Default 15 minutes. */
  lockMs: number;
  /** Accounts and addresses remembered at most. Default 100,000 each. */
  maxTracked: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  freeFailures: 5,
  lockAfter: 20,
  perAddress: 100,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxTracked: 100_000,
};

const MAX_WAIT_MS = 60_000;

interface Failures {
  count: number;
  firstMs: number;
  lastMs: number;
}

export interface Refusal {
  /** Whole seconds until an attempt may be made (Retry-After). */
  retryAfterS: number;
  /** 'locked' once the lock count is reached, 'slowed' before. */
  state: 'slowed' | 'locked';
}

export class SignInLimiter {
  private readonly limits: SignInLimits;
  private readonly accounts = new Map<string, Failures>();
  private readonly addresses = new Map<string, Failures>();
  private readonly now: () => number;

  constructor(limits: Partial<SignInLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
    this.now = now;
  }

  /** Why this attempt may not be made now, or null: check before the password. */
  refusal(email: string, address: string): Refusal | null {
    const now = this.now();
    const byAddress = this.live(this.addresses, address, now);
    if (byAddress !== undefined && byAddress.count >= this.limits.perAddress) {
      return this.wait(byAddress.lastMs + this.limits.lockMs - now, 'locked');
    }
    const byAccount = this.live(this.accounts, email, now);
    if (byAccount === undefined) return null;
    const { count, lastMs } = byAccount;
    if (count >= this.limits.lockAfter) {
      return this.wait(lastMs + this.limits.lockMs - now, 'locked');
    }
    if (count < this.limits.freeFailures) return null;
    const waitMs = Math.min(MAX_WAIT_MS, 1000 * 2 ** (count - this.limits.freeFailures));
    return this.wait(lastMs + waitMs - now, 'slowed');
  }

  /** A wrong password, or an attempt refused above: both count against the address. */
  failed(email: string, address: string, refused = false): void {
    const now = this.now();
    if (!refused) this.count(this.accounts, email, now);
    this.count(this.addresses, address, now);
  }

  /** A right password clears the account's failures (not the address's). */
  succeeded(email: string): void {
    this.accounts.delete(email);
  }

  private wait(ms: number, state: Refusal['state']): Refusal | null {
    return ms <= 0 ? null : { retryAfterS: Math.ceil(ms / 1000), state };
  }

  /** The entry, unless its window and any lock are over (then it is forgotten). */
  private live(map: Map<string, Failures>, key: string, now: number): Failures | undefined {
    const entry = map.get(key);
    if (entry === undefined) return undefined;
    const windowOver = now - entry.firstMs > this.limits.windowMs;
    const lockOver = now - entry.lastMs > this.limits.lockMs;
    if (windowOver && lockOver) {
      map.delete(key);
      return undefined;
    }
    return entry;
  }

  private count(map: Map<string, Failures>, key: string, now: number): void {
    const entry = this.live(map, key, now);
    // Re-inserted so the map's order is oldest-touched first, which is what eviction drops.
    map.delete(key);
    map.set(key, entry ? { ...entry, count: entry.count + 1, lastMs: now } : fresh(now));
    if (map.size > this.limits.maxTracked) map.delete(map.keys().next().value as string);
  }
}

function fresh(now: number): Failures {
  return { count: 1, firstMs: now, lastMs: now };
}
