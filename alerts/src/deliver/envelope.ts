import type { NewOutboxMessage, OutboxMessage } from '@airbox/registry';
import { z } from 'zod';
import type {
  AlertChannel,
  AlertEvent,
  AlertLocale,
  AlertTarget,
  QuietHours,
  Subscription,
} from '../types.ts';
import { ALERT_KINDS, ALERT_LOCALES } from '../types.ts';

/**
 * What the outbox keeps of an event and its subscription: enough to send it without the
 * subscription (which may change or go after the event was found), in the registry's JSON
 * columns. Read back through one schema, so a row written by another version that does not
 * fit fails that message, not the dispatcher.
 */
export interface Envelope {
  key: string;
  subscriptionId: string;
  event: AlertEvent;
  target: AlertTarget;
  channel: AlertChannel;
  /** HMAC key of the webhook signature. */
  secret: string;
  locale: AlertLocale;
  quietHours: QuietHours | null;
}

const channelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url: z.string() }),
  z.object({ type: z.literal('email'), address: z.string() }),
  z.object({ type: z.literal('line'), to: z.string() }),
]);

const areaSchema = z.union([
  z.object({ county: z.string() }),
  z.object({ lat: z.number(), lon: z.number(), radiusKm: z.number() }),
]);

const targetSchema = z.union([
  z.object({ deviceId: z.string() }),
  z.object({ orgId: z.string() }),
  z.object({ area: areaSchema }),
]);

const eventSchema = z.object({
  key: z.string(),
  subscriptionId: z.string(),
  type: z.enum(['alert', 'clear', 'offline', 'online', 'digest', 'test']),
  kind: z.enum(ALERT_KINDS),
  at: z.string(),
  deviceIds: z.array(z.string()),
  targetLabel: z.string(),
  valueUgM3: z.number().nullable(),
  thresholdUgM3: z.number().nullable(),
  category: z.string().nullable(),
});

const quietSchema = z.object({ from: z.string(), to: z.string(), timeZone: z.string() });
const storedChannel = z.object({ channel: channelSchema, secret: z.string() });
const storedEvent = z.object({ event: eventSchema, target: targetSchema });

/** The row the outbox stores for an event of a subscription. */
export function toOutboxMessage(event: AlertEvent, subscription: Subscription): NewOutboxMessage {
  const target = subscription.target;
  return {
    key: event.key,
    subscriptionId: subscription.id,
    channelJson: JSON.stringify({ channel: subscription.channel, secret: subscription.secret }),
    locale: subscription.locale,
    eventJson: JSON.stringify({ event, target }),
    quietHoursJson:
      subscription.quietHours === null ? null : JSON.stringify(subscription.quietHours),
    // Only an area's alerts are public (the CAP feed): a box's or an organisation's name no one else's.
    areaJson: 'area' in target && isPublicEvent(event) ? JSON.stringify(target.area) : null,
  };
}

/** Tests and digests are for their subscriber only. */
function isPublicEvent(event: AlertEvent): boolean {
  return event.type === 'alert' || event.type === 'clear';
}

/** The envelope of a stored row; throws (a ZodError) when the row does not fit. */
export function fromOutboxMessage(m: OutboxMessage): Envelope {
  const { channel, secret } = storedChannel.parse(JSON.parse(m.channelJson));
  const { event, target } = storedEvent.parse(JSON.parse(m.eventJson));
  const quietHours =
    m.quietHoursJson === null ? null : quietSchema.parse(JSON.parse(m.quietHoursJson));
  return {
    key: m.key,
    subscriptionId: m.subscriptionId,
    event,
    target,
    channel,
    secret,
    locale: z.enum(ALERT_LOCALES).parse(m.locale),
    quietHours,
  };
}
