import type { Owner } from '@airbox/registry';

/**
 * The shapes the two halves of alerts share: the evaluator (subscriptions + the reading
 * stream → events, kept in the registry as alert state) and delivery (events → the outbox →
 * e-mail, webhooks, LINE). The evaluator hands an event to the outbox and forgets it; the
 * outbox owns it until it is delivered or given up on.
 */

export const ALERT_KINDS = ['threshold', 'category', 'offline', 'health', 'digest'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_LOCALES = ['zh-TW', 'en'] as const;
export type AlertLocale = (typeof ALERT_LOCALES)[number];

/** What a subscription watches. An area's value is a robust mean of its healthy outdoor boxes. */
export type AlertTarget =
  | { deviceId: string }
  | { orgId: string }
  | { area: { county: string } | { lat: number; lon: number; radiusKm: number } };

/** Where its messages go. */
export type AlertChannel =
  | { type: 'webhook'; url: string }
  | { type: 'email'; address: string }
  | { type: 'line'; to: string };

/** Local times ('22:00'–'07:00') in a time zone during which nothing is sent; held, not dropped. */
export interface QuietHours {
  from: string;
  to: string;
  timeZone: string;
}

export interface Subscription {
  id: string;
  owner: Owner;
  target: AlertTarget;
  kind: AlertKind;
  channel: AlertChannel;
  locale: AlertLocale;
  /** threshold: alert above this for forMinutes, clear below clearBelowUgM3 for clearForMinutes. */
  thresholdUgM3: number | null;
  forMinutes: number | null;
  clearBelowUgM3: number | null;
  clearForMinutes: number | null;
  /** threshold: which value is compared. */
  averaging: 'hourly' | 'nowcast';
  /** category: the scale and the category id that alerts when reached. */
  scale: string | null;
  category: string | null;
  /** offline: minutes without a reading. */
  offlineAfterMinutes: number | null;
  quietHours: QuietHours | null;
  paused: boolean;
  /** HMAC key of webhook signatures (X-AirBox-Signature: sha256=<hex>); shown once. */
  secret: string;
  createdAt: string;
}

/** What an event says happened. An 'offline' event may name many boxes (a grouped message). */
export type AlertEventType = 'alert' | 'clear' | 'offline' | 'online' | 'digest' | 'test';

export interface AlertEvent {
  /**
   * Idempotency key, the same however often the event is found again (subscription id +
   * type + the start of the episode): the outbox takes a key once, so an evaluator that
   * re-finds an event after a crash enqueues nothing twice. Sent to webhooks as
   * X-AirBox-Delivery and to mail as its Message-ID.
   */
  key: string;
  subscriptionId: string;
  type: AlertEventType;
  kind: AlertKind;
  /** When the condition was met (ISO 8601 UTC). */
  at: string;
  /** The boxes concerned (one for a box target; the quiet ones for a grouped offline). */
  deviceIds: string[];
  /** A human label of the target: the box's or organisation's name, the county. */
  targetLabel: string;
  valueUgM3: number | null;
  thresholdUgM3: number | null;
  /** category events: the category id and the advice text of the school page. */
  category: string | null;
}

/**
 * The outbox as the evaluator sees it: `enqueue` is idempotent on `event.key` (false when the
 * key was taken before) and durable when it resolves.
 */
export interface AlertOutbox {
  enqueue(event: AlertEvent, subscription: Subscription): Promise<boolean>;
}
