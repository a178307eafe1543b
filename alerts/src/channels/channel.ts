import type { Envelope } from '../deliver/envelope.ts';
import type { RenderedMessage } from '../messages.ts';

/** What a channel made of one try. */
export type SendOutcome =
  | { ok: true }
  | {
      ok: false;
      /** The same message will fail again (a 4xx, an address refused): do not retry. */
      permanent: boolean;
      error: string;
      /** The receiver asked for this wait (Retry-After). */
      retryAfterMs?: number;
    };

/** A message ready to go: the envelope and its text in the subscriber's language. */
export interface Delivery {
  envelope: Envelope;
  message: RenderedMessage;
  /** One click stops the subscription (GET shows, POST confirms). */
  unsubscribeUrl: string;
}

/** One way out: webhook, e-mail, LINE. A send never throws; it says how it went. */
export interface ChannelSender {
  send(delivery: Delivery): Promise<SendOutcome>;
}

export function failure(permanent: boolean, error: string, retryAfterMs?: number): SendOutcome {
  return retryAfterMs === undefined
    ? { ok: false, permanent, error }
    : { ok: false, permanent, error, retryAfterMs };
}

/** An HTTP status: 2xx taken; 4xx but 408 and 429 will not change; the rest may. */
export function outcomeOfStatus(
  status: number,
  retryAfter: string | null | undefined,
): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const permanent = status >= 400 && status < 500 && status !== 408 && status !== 429;
  return failure(permanent, `HTTP ${status}`, parseRetryAfter(retryAfter, Date.now()));
}

/** RFC 9110 §10.2.3: Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
