import type { RefusalCode } from '@airbox/contracts';

/** A check's refusal: a stable code (the dead letter's) and a reason naming the input. */
export interface Refusal {
  ok: false;
  code: RefusalCode;
  reason: string;
  /** The payload bytes its dead letter keeps, where not all of them. */
  keep?: Buffer;
}

/** What a check answers: let the next check look, or refuse. */
export type Verdict = { ok: true } | Refusal;

export const PASS: Verdict = { ok: true };

export function refusal(code: RefusalCode, reason: string, keep?: Buffer): Refusal {
  return keep === undefined ? { ok: false, code, reason } : { ok: false, code, reason, keep };
}

/** One small named rule; most answer at once, some may wait (a lookup). */
export type Check<C> = (ctx: C) => Verdict | Promise<Verdict>;

/**
 * Runs the checks in order and answers with the first refusal, or PASS. Stays synchronous
 * while the checks are: every PUBLISH passes here, and a message that waits for nothing
 * reaches the sink in the same turn, in the order the client sent it.
 */
export function firstRefusal<C>(
  checks: readonly Check<C>[],
  ctx: C,
  from = 0,
): Verdict | Promise<Verdict> {
  for (let i = from; i < checks.length; i++) {
    const verdict = checks[i]!(ctx);
    if (verdict instanceof Promise) {
      return verdict.then((v) => (v.ok ? firstRefusal(checks, ctx, i + 1) : v));
    }
    if (!verdict.ok) return verdict;
  }
  return PASS;
}
