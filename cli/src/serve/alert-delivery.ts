import { readFileSync } from 'node:fs';
import {
  AlertDispatcher,
  emailSender,
  LINE_DEFAULT_API_URL,
  lineSender,
  webhookSender,
  type Unsubscriber,
} from '@airbox/alerts';
import type { Registry } from '@airbox/registry';
import { UsageError } from '../io.ts';
import type { ServeBase, ServeData } from './ingest.ts';
import { port } from './options.ts';

/** serve's flags of alert delivery (issue 16). */
export const DELIVERY_OPTIONS = {
  'line-api-url': { type: 'string' },
  'line-token-file': { type: 'string' },
} as const;

export const DELIVERY_USAGE = `Alert delivery (e-mail through --smtp-url, webhooks, LINE; /alerts.atom):
  --line-token-file FILE   the LINE Messaging API channel access token (no default: LINE
                           messages wait in the outbox until one is given)
  --line-api-url URL       the Messaging API's address (default ${LINE_DEFAULT_API_URL})`;

export interface DeliveryValues {
  'line-api-url'?: string;
  'line-token-file'?: string;
  /** Evaluation's flag (ALERT_OPTIONS), read by both halves. */
  'webhook-allow-private'?: boolean;
  'http-port'?: string;
}

/** The base of links in messages and feeds: --public-url, else this server's HTTP port. */
export function linkBase(base: ServeBase): URL {
  return (
    base.publicUrl ?? new URL(`http://localhost:${port('http-port', base.v['http-port'], 8080)}/`)
  );
}

function lineToken(v: DeliveryValues): string | null {
  const file = v['line-token-file'];
  if (file === undefined) return null;
  let token: string;
  try {
    token = readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new UsageError(
      `--line-token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`,
    );
  }
  if (token === '') throw new UsageError(`--line-token-file ${file} is empty`);
  return token;
}

function lineApiUrl(v: DeliveryValues): string {
  const raw = v['line-api-url'] ?? LINE_DEFAULT_API_URL;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
    throw new UsageError(`--line-api-url must be an http(s) URL, got '${raw}'`);
  }
  return raw;
}

/** What delivery asks of the subscriptions: wired by serve to the registry's AlertStore. */
export interface SubscriptionHooks {
  isActive?: (subscriptionId: string) => Promise<boolean>;
  unsubscriber: Unsubscriber | null;
}

/** The registry's subscriptions, as delivery asks them. */
export function subscriptionHooks(registry: Registry): SubscriptionHooks {
  return {
    unsubscriber: { unsubscribe: (id) => registry.alerts.setPaused(id, true) },
    isActive: async (id) => {
      const s = await registry.alerts.get(id);
      return s !== null && !s.paused;
    },
  };
}

/**
 * The dispatcher over the registry's outbox, started: every node of a deployment runs one,
 * and the outbox's leases keep them from sending one message twice at once.
 */
export function startDelivery(
  base: ServeBase & { v: DeliveryValues },
  { registry }: ServeData,
  hooks: SubscriptionHooks,
): AlertDispatcher {
  const { v, log, io, mailer } = base;
  const publicUrl = linkBase(base);
  const dispatcher = new AlertDispatcher({
    store: registry.alertOutbox,
    channels: {
      webhook: webhookSender({ allowPrivate: v['webhook-allow-private'] ?? false }),
      email: emailSender(mailer, publicUrl.hostname),
      line: lineSender({ apiUrl: lineApiUrl(v), token: lineToken(v) }),
    },
    publicUrl,
    now: io.now,
    log,
    ...(hooks.isActive === undefined ? {} : { isActive: hooks.isActive }),
  });
  dispatcher.start();
  return dispatcher;
}
