import type { AnonymousIds } from '../anonymous-ids.ts';
import { publisherKey, type PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: anonymous LASS boxes are taken on trust, so how many new ones appear is
 * bounded: at most `perMinute` device_ids not heard from lately, a minute (AnonymousIds).
 * A box already known passes; a new one past the budget is refused until it refills.
 */
export function anonymousIdsWithinBudget(ids: AnonymousIds, perMinute: number): PublishCheck {
  return (ctx) => {
    if (ctx.who.role !== 'anonymous-lass') return PASS;
    const device = publisherKey(ctx);
    return ids.admit(device, ctx.receivedAtMs)
      ? PASS
      : refusal(
          'rate-limited',
          `more than ${perMinute} new anonymous device_ids a minute: ${device} is not taken now`,
        );
  };
}
