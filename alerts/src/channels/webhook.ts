import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AlertError } from '../errors.ts';
import type { AlertEvent, AlertTarget } from '../types.ts';
import {
  failure,
  outcomeOfStatus,
  type ChannelSender,
  type Delivery,
  type SendOutcome,
} from './channel.ts';
import { checkWebhookUrl } from './webhook-address.ts';

/**
 * Webhooks: a JSON POST of the event, signed with the subscription's secret
 * (`X-AirBox-Signature: sha256=<hex HMAC-SHA256 of the raw body>`) and carrying the
 * idempotency key (`X-AirBox-Delivery`), so a receiver can check who sent it and drop a
 * repeat. The URL's name is resolved and checked again before each send (SSRF: a name may
 * be pointed at 127.0.0.1 after the subscription was made), and the connection goes to the
 * address that was checked, not to a second lookup.
 */

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** The body a receiver gets (documented in alerts/README.md). */
export interface WebhookBody {
  key: string;
  subscriptionId: string;
  type: AlertEvent['type'];
  kind: AlertEvent['kind'];
  at: string;
  target: AlertTarget;
  targetLabel: string;
  deviceIds: string[];
  valueUgM3: number | null;
  thresholdUgM3: number | null;
  category: string | null;
  locale: string;
  subject: string;
  text: string;
  unsubscribeUrl: string;
}

export function webhookBody({ envelope: e, message, unsubscribeUrl }: Delivery): WebhookBody {
  const ev = e.event;
  return {
    key: e.key,
    subscriptionId: e.subscriptionId,
    type: ev.type,
    kind: ev.kind,
    at: ev.at,
    target: e.target,
    targetLabel: ev.targetLabel,
    deviceIds: ev.deviceIds,
    valueUgM3: ev.valueUgM3,
    thresholdUgM3: ev.thresholdUgM3,
    category: ev.category,
    locale: e.locale,
    subject: message.subject,
    text: message.text,
    unsubscribeUrl,
  };
}

export function signature(secret: string, rawBody: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

export interface WebhookOptions {
  /** `airbox serve --webhook-allow-private`: LAN receivers and tests. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

export function webhookSender(options: WebhookOptions): ChannelSender {
  return {
    async send(delivery) {
      const { channel, secret, key } = delivery.envelope;
      if (channel.type !== 'webhook')
        return failure(true, `not a webhook channel: ${channel.type}`);
      let checked: { url: URL; addresses: string[] };
      try {
        checked = await checkWebhookUrl(channel.url, { allowPrivate: options.allowPrivate });
      } catch (e) {
        // A name that does not resolve may resolve later; a private address will not change.
        const permanent = e instanceof AlertError && e.code !== 'invalid-webhook-url';
        return failure(permanent, (e as Error).message);
      }
      const body = JSON.stringify(webhookBody(delivery));
      return post(
        checked.url,
        checked.addresses[0]!,
        body,
        {
          'content-type': 'application/json',
          'x-airbox-signature': signature(secret, body),
          'x-airbox-delivery': key,
          'user-agent': 'AirBox-Alerts/1',
        },
        options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
      );
    },
  };
}

/** A lookup that answers the checked address whatever is asked (pins the connection). */
function pinned(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return (_host, opts, cb) => {
    if (opts.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
}

function post(
  url: URL,
  address: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<SendOutcome> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned(address),
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        // The answer's body is not read for meaning; drained so the socket is freed.
        res.resume();
        resolve(outcomeOfStatus(res.statusCode ?? 0, res.headers['retry-after']));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      const what =
        e.name === 'AbortError' || e.name === 'TimeoutError'
          ? `no answer in ${timeoutMs} ms`
          : (e.code ?? e.message);
      resolve(failure(false, `${url.host}: ${what}`));
    });
    req.end(body);
  });
}
