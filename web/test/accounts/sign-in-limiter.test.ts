import { describe, expect, it } from 'vitest';
import { SignInLimiter } from '../../src/accounts/sign-in-limiter.ts';

/** A clock the test moves by hand. */
function clock(startMs = 1_000_000) {
  let now = startMs;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Tries a wrong password like an attacker: at once, whatever the answer says. */
function attack(limiter: SignInLimiter, email: string, ip: string, times: number) {
  let checked = 0;
  for (let i = 0; i < times; i++) {
    if (limiter.refusal(email, ip) === null) {
      checked += 1;
      limiter.failed(email, ip);
    } else {
      limiter.failed(email, ip, true);
    }
  }
  return checked;
}

describe('sign-in limiter', () => {
  it('lets a few wrong passwords through, then makes each next attempt wait longer', () => {
    const t = clock();
    const limiter = new SignInLimiter({}, t.now);
    expect(attack(limiter, 'a@example.org', '198.51.100.1', 5)).toBe(5);
    expect(limiter.refusal('a@example.org', '198.51.100.1')).toEqual({
      retryAfterS: 1,
      state: 'slowed',
    });
    t.advance(1_000);
    expect(limiter.refusal('a@example.org', '198.51.100.1')).toBeNull();
    limiter.failed('a@example.org', '198.51.100.1');
    expect(limiter.refusal('a@example.org', '198.51.100.1')?.retryAfterS).toBe(2);
  });

  it('checks 5 of 1,000 rapid guesses from one address and then shuts that address out', () => {
    const t = clock();
    const limiter = new SignInLimiter({}, t.now);
    expect(attack(limiter, 'victim@example.org', '198.51.100.7', 1_000)).toBe(5);
    expect(limiter.refusal('victim@example.org', '198.51.100.7')?.state).toBe('locked');
    t.advance(60_000);
    expect(attack(limiter, 'victim@example.org', '198.51.100.7', 100)).toBe(0);
    // The owner, from elsewhere, is at most slowed.
    expect(limiter.refusal('victim@example.org', '203.0.113.9')).toBeNull();
  });

  it('locks an account guessed from many addresses; the owner gets in once the lock lapses', () => {
    const t = clock();
    const limiter = new SignInLimiter({}, t.now);
    let checked = 0;
    for (let i = 0; i < 1_000; i++) {
      t.advance(1_000);
      checked += attack(limiter, 'victim@example.org', `198.51.${i >> 8}.${i & 255}`, 1);
    }
    expect(checked).toBe(20);
    expect(limiter.refusal('victim@example.org', '203.0.113.9')?.state).toBe('locked');
    t.advance(15 * 60_000);
    expect(limiter.refusal('victim@example.org', '203.0.113.9')).toBeNull();
    limiter.succeeded('victim@example.org');
    expect(limiter.refusal('victim@example.org', '203.0.113.9')).toBeNull();
  });

  it('treats an e-mail nobody registered exactly like a real one', () => {
    const limiter = new SignInLimiter({}, clock().now);
    attack(limiter, 'nobody@example.org', '198.51.100.2', 10);
    attack(limiter, 'real@example.org', '198.51.100.3', 10);
    expect(limiter.refusal('nobody@example.org', '198.51.100.2')).toEqual(
      limiter.refusal('real@example.org', '198.51.100.3'),
    );
  });

  it('blocks an address that tries many accounts', () => {
    const limiter = new SignInLimiter({ perAddress: 30 }, clock().now);
    for (let i = 0; i < 30; i++) attack(limiter, `user${i}@example.org`, '198.51.100.9', 1);
    expect(limiter.refusal('fresh@example.org', '198.51.100.9')?.state).toBe('locked');
    expect(limiter.refusal('fresh@example.org', '198.51.100.10')).toBeNull();
  });

  it('remembers a bounded number of accounts', () => {
    const limiter = new SignInLimiter({ maxTracked: 100, freeFailures: 0 }, clock().now);
    for (let i = 0; i < 1_000; i++)
      limiter.failed(`user${i}@example.org`, `10.0.${i >> 8}.${i & 255}`);
    expect(limiter.refusal('user999@example.org', '10.9.9.9')).not.toBeNull();
    expect(limiter.refusal('user0@example.org', '10.9.9.9')).toBeNull();
  });
});
