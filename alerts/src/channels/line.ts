import { createHash } from 'node:crypto';
import { failure, outcomeOfStatus, type ChannelSender } from './channel.ts';

/**
 * LINE Messaging API push (LINE Notify was shut down on 2025-03-31):
 * `POST {base}/v2/bot/message/push`, `Authorization: Bearer <channel access token>`, body
 * `{"to": "<user, group or room id>", "messages": [{"type": "text", "text": "…"}]}`.
 *
 * `X-Line-Retry-Key` (developers.line.biz/en/docs/messaging-api/retrying-api-request): a
 * hexadecimal UUID of our choosing; LINE executes a request with a given key once, and
 * answers 409 to a repeat of one it accepted — for us, delivered. The key is derived from the
 * idempotency key, so a retry after a crash carries the same one.
 */

export const LINE_DEFAULT_API_URL = 'https://api.line.me';
/** A text message object's `text`: at most 5,000 characters (Messaging API reference). */
export const LINE_MAX_TEXT_CHARS = 5000;
export const LINE_TIMEOUT_MS = 10_000;

/** RFC 9562 UUIDv5 namespace of our own, fixed: the same key gives the same retry key forever. */
const NAMESPACE = Buffer.from('6f1d3c2a9b7e4d5f8a0c1e2b3d4f5a6b', 'hex');

/** UUIDv5 (RFC 9562 §5.5: SHA-1 of namespace + name, version 5, variant 10). */
export function lineRetryKey(idempotencyKey: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(idempotencyKey).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface LineOptions {
  /** --line-api-url, default https://api.line.me. */
  apiUrl?: string;
  /** The channel access token (--line-token-file); null: LINE messages wait for one. */
  token: string | null;
  timeoutMs?: number;
}

/** A text cut to LINE's limit at a character (not a UTF-16 unit) boundary. */
export function lineText(text: string): string {
  const chars = [...text];
  return chars.length <= LINE_MAX_TEXT_CHARS
    ? text
    : `${chars.slice(0, LINE_MAX_TEXT_CHARS - 1).join('')}…`;
}

export function lineSender(options: LineOptions): ChannelSender {
  const endpoint = new URL(
    'v2/bot/message/push',
    withSlash(options.apiUrl ?? LINE_DEFAULT_API_URL),
  );
  return {
    async send({ envelope, message }) {
      const { channel, key } = envelope;
      if (channel.type !== 'line') return failure(true, `not a LINE channel: ${channel.type}`);
      if (options.token === null)
        return failure(false, 'no --line-token-file: this server sends no LINE messages');
      const text = lineText(`${message.subject}\n\n${message.text}`);
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.token}`,
            'x-line-retry-key': lineRetryKey(key),
          },
          body: JSON.stringify({ to: channel.to, messages: [{ type: 'text', text }] }),
          signal: AbortSignal.timeout(options.timeoutMs ?? LINE_TIMEOUT_MS),
        });
      } catch (e) {
        return failure(false, `LINE ${endpoint.host}: ${(e as Error).message}`);
      }
      const detail = await res.text().catch(() => '');
      // Accepted before, under this retry key: it was sent.
      if (res.status === 409) return { ok: true };
      const outcome = outcomeOfStatus(res.status, res.headers.get('retry-after'));
      return outcome.ok
        ? outcome
        : { ...outcome, error: `LINE ${outcome.error} ${detail.slice(0, 200)}`.trim() };
    },
  };
}

function withSlash(raw: string): string {
  return raw.endsWith('/') ? raw : `${raw}/`;
}
