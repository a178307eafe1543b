import { CATEGORY_KEYS, categoryFor, type CategoryKey, type Scale } from '@airbox/aqi';
import type { AlertEvent, AlertEventType, Subscription } from '../types.ts';
import type { Condition } from './episode.ts';

/**
 * The event of a subscription, keyed so that finding it again (after a restart, by a second
 * sweep) gives the same key: subscription, what it is about (a box, the area), type, and the
 * start of the episode.
 */
export function alertEvent(
  sub: Subscription,
  about: string,
  type: AlertEventType,
  fields: {
    episodeStart: string;
    atMs: number;
    deviceIds: string[];
    label: string;
    valueUgM3: number | null;
  },
): AlertEvent {
  return {
    key: `${sub.id}:${about}:${type}:${fields.episodeStart}`,
    subscriptionId: sub.id,
    type,
    kind: sub.kind,
    at: new Date(fields.atMs).toISOString(),
    deviceIds: fields.deviceIds,
    targetLabel: fields.label,
    valueUgM3: fields.valueUgM3 === null ? null : Math.round(fields.valueUgM3 * 10) / 10,
    thresholdUgM3: sub.thresholdUgM3,
    category: sub.kind === 'category' ? categoryOf(sub, fields.valueUgM3) : null,
  };
}

/**
 * The category the value is in: what the school page shows, its advice looked up by id in
 * @airbox/aqi by whoever renders the message.
 */
function categoryOf(sub: Subscription, valueUgM3: number | null): string | null {
  if (valueUgM3 === null) return sub.category;
  return categoryFor(valueUgM3, { scale: (sub.scale ?? 'tw') as Scale }).key;
}

/** Where a value stands for a subscription: alert territory, clear territory, or between. */
export function conditionOf(sub: Subscription, valueUgM3: number): Condition {
  if (sub.kind === 'category') {
    const reached = categoryFor(valueUgM3, { scale: (sub.scale ?? 'tw') as Scale }).key;
    return rank(reached) >= rank(sub.category as CategoryKey) ? 'on' : 'off';
  }
  if (valueUgM3 > sub.thresholdUgM3!) return 'on';
  return valueUgM3 < sub.clearBelowUgM3! ? 'off' : 'between';
}

function rank(key: CategoryKey): number {
  return CATEGORY_KEYS.indexOf(key);
}
