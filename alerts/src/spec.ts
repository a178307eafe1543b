import { CATEGORY_KEYS, SCALES } from '@airbox/aqi';
import { findCounty } from '@airbox/geo';
import type { AlertSubscriptionRecord, JsonObject } from '@airbox/registry';
import { z } from 'zod';
import { checkWebhookUrl } from './channels/webhook-address.ts';
import { AlertError } from './errors.ts';
import { ALERT_LOCALES, type AlertKind, type Subscription } from './types.ts';

/**
 * What someone asks for when they subscribe (POST /api/v1/me/alerts), checked once here for
 * shape (zod) and sense (`checkSubscription`), then kept as the registry's `spec`.
 */
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

const areaSchema = z.union([
  z.strictObject({ county: z.string().min(1).max(40) }),
  z.strictObject({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    radiusKm: z.number().positive().max(200),
  }),
]);

export const alertTargetSchema = z.union([
  z.strictObject({ deviceId: z.string().min(1).max(64) }),
  z.strictObject({ orgId: z.string().min(1).max(64) }),
  z.strictObject({ area: areaSchema }),
]);

export const alertChannelSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), url: z.string().min(1).max(2000) }),
  z.strictObject({ type: z.literal('email'), address: z.email().max(254) }),
  z.strictObject({ type: z.literal('line'), to: z.string().min(1).max(64) }),
]);

export const quietHoursSchema = z.strictObject({
  from: z.string().regex(HH_MM, 'HH:MM'),
  to: z.string().regex(HH_MM, 'HH:MM'),
  timeZone: z.string().min(1).max(64),
});

/** The kinds evaluated today; `health` and `digest` wait for what they report on. */
export const EVALUATED_KINDS = ['threshold', 'category', 'offline'] as const;

/** One day: longer windows are not an alert any more but a statistic. */
const MAX_MINUTES = 1440;
const minutes = z.number().int().min(1).max(MAX_MINUTES);
const ugM3 = z.number().gt(0).max(1000);

export const alertInputSchema = z.strictObject({
  target: alertTargetSchema,
  kind: z.enum(EVALUATED_KINDS),
  thresholdUgM3: ugM3.optional(),
  forMinutes: minutes.optional(),
  clearBelowUgM3: ugM3.optional(),
  clearForMinutes: minutes.optional(),
  averaging: z.enum(['hourly', 'nowcast']).optional(),
  scale: z.enum(SCALES).optional(),
  category: z.enum(CATEGORY_KEYS).optional(),
  offlineAfterMinutes: minutes.optional(),
  channel: alertChannelSchema,
  locale: z.enum(ALERT_LOCALES).optional(),
  quietHours: quietHoursSchema.nullable().optional(),
});
export type AlertInput = z.infer<typeof alertInputSchema>;

/** What the registry keeps as `spec`: the input with every default filled in. */
const storedSpecSchema = alertInputSchema.extend({
  target: alertTargetSchema,
  thresholdUgM3: ugM3.nullable(),
  forMinutes: minutes.nullable(),
  clearBelowUgM3: ugM3.nullable(),
  clearForMinutes: minutes.nullable(),
  averaging: z.enum(['hourly', 'nowcast']),
  scale: z.enum(SCALES).nullable(),
  category: z.enum(CATEGORY_KEYS).nullable(),
  offlineAfterMinutes: minutes.nullable(),
  locale: z.enum(ALERT_LOCALES),
  quietHours: quietHoursSchema.nullable(),
});
export type StoredSpec = z.infer<typeof storedSpecSchema>;

/** How far below the threshold the value must fall to clear, unless the subscriber says. */
export const DEFAULT_CLEAR_MARGIN_UGM3 = 5;

/**
 * Checks an input's sense beyond its shape and fills in the defaults: the fields each kind
 * needs, a county that is on the map, a webhook that is not a private address (SSRF) unless
 * the operator allows those. Throws AlertError naming the field.
 */
export async function checkSubscription(
  input: AlertInput,
  options: { allowPrivateWebhooks: boolean },
): Promise<StoredSpec> {
  const area = 'area' in input.target ? input.target.area : null;
  if (area && 'county' in area && findCounty(area.county) === null) {
    invalid(
      'target.area.county',
      `'${area.county}' is not a county of the map (e.g. 臺北市, 高雄市)`,
    );
  }
  if (input.channel.type === 'webhook') {
    await checkWebhookUrl(input.channel.url, { allowPrivate: options.allowPrivateWebhooks });
  }
  return {
    ...kindFields(input),
    target: input.target,
    kind: input.kind,
    channel: input.channel,
    locale: input.locale ?? 'zh-TW',
    quietHours: input.quietHours ?? null,
  };
}

type KindFields = Omit<StoredSpec, 'target' | 'kind' | 'channel' | 'locale' | 'quietHours'>;

function kindFields(input: AlertInput): KindFields {
  const none: KindFields = {
    thresholdUgM3: null,
    forMinutes: null,
    clearBelowUgM3: null,
    clearForMinutes: null,
    averaging: input.averaging ?? 'hourly',
    scale: null,
    category: null,
    offlineAfterMinutes: null,
  };
  if (input.kind === 'threshold') return { ...none, ...thresholdFields(input) };
  if (input.kind === 'category') {
    if (input.category === undefined) invalid('category', 'a category alert needs category');
    return {
      ...none,
      scale: input.scale ?? 'tw',
      category: input.category,
      forMinutes: input.forMinutes ?? null,
      clearForMinutes: input.clearForMinutes ?? null,
    };
  }
  if (input.offlineAfterMinutes === undefined) {
    invalid('offlineAfterMinutes', 'an offline alert needs offlineAfterMinutes (1–1440)');
  }
  return { ...none, offlineAfterMinutes: input.offlineAfterMinutes };
}

function thresholdFields(input: AlertInput): Partial<KindFields> {
  const threshold = input.thresholdUgM3;
  if (threshold === undefined) invalid('thresholdUgM3', 'a threshold alert needs thresholdUgM3');
  const forMinutes = input.forMinutes ?? 10;
  const clearBelow =
    input.clearBelowUgM3 ?? Math.max(threshold / 2, threshold - DEFAULT_CLEAR_MARGIN_UGM3);
  if (clearBelow > threshold) {
    invalid(
      'clearBelowUgM3',
      `${clearBelow} µg/m³ is above the threshold ${threshold}: it would never clear`,
    );
  }
  return {
    thresholdUgM3: threshold,
    forMinutes,
    clearBelowUgM3: clearBelow,
    clearForMinutes: input.clearForMinutes ?? forMinutes,
  };
}

function invalid(field: string, message: string): never {
  throw new AlertError('invalid-alert', `${field}: ${message}`, {
    hint: 'see POST /api/v1/me/alerts in /api/docs',
  });
}

/** A registry record as the evaluator and delivery use it; null if its spec is damaged. */
export function toSubscription(record: AlertSubscriptionRecord): Subscription | null {
  const parsed = storedSpecSchema.safeParse(record.spec);
  if (!parsed.success) return null;
  const s = parsed.data;
  return {
    id: record.id,
    owner: record.owner,
    kind: s.kind as AlertKind,
    target: s.target,
    channel: s.channel,
    locale: s.locale,
    thresholdUgM3: s.thresholdUgM3,
    forMinutes: s.forMinutes,
    clearBelowUgM3: s.clearBelowUgM3,
    clearForMinutes: s.clearForMinutes,
    averaging: s.averaging,
    scale: s.scale,
    category: s.category,
    offlineAfterMinutes: s.offlineAfterMinutes,
    quietHours: s.quietHours,
    paused: record.paused,
    secret: record.secret,
    createdAt: record.createdAt,
  };
}

/** The spec as the registry keeps it. */
export function specJson(spec: StoredSpec): JsonObject {
  return { ...spec };
}
