import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * One-click unsubscribe links: `GET {publicUrl}/alerts/unsubscribe?token=…`, the token the
 * subscription id signed with the server's key (AlertOutboxStore.serverKey('unsubscribe')),
 * so a link names one subscription and cannot be made for another. It does not expire: a
 * mail read a year later must still stop the messages.
 */

export const UNSUBSCRIBE_KEY_NAME = 'unsubscribe';

function mac(key: Buffer, subscriptionId: string): Buffer {
  return createHmac('sha256', key).update(`unsubscribe:${subscriptionId}`).digest().subarray(0, 16);
}

export function unsubscribeToken(key: Buffer, subscriptionId: string): string {
  return `${Buffer.from(subscriptionId).toString('base64url')}.${mac(key, subscriptionId).toString('base64url')}`;
}

/** The subscription id a token was made for, or null (malformed, or signed by another key). */
export function verifyUnsubscribeToken(key: Buffer, token: string): string | null {
  const m = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return null;
  const id = Buffer.from(m[1]!, 'base64url').toString('utf8');
  const given = Buffer.from(m[2]!, 'base64url');
  const expected = mac(key, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

export function unsubscribeUrl(publicUrl: URL, key: Buffer, subscriptionId: string): string {
  const url = new URL('alerts/unsubscribe', withSlash(publicUrl));
  url.searchParams.set('token', unsubscribeToken(key, subscriptionId));
  return url.toString();
}

/** A base URL whose path ends in '/', so a relative path is added to it, not put in its place. */
export function withSlash(base: URL): URL {
  const u = new URL(base.toString());
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u;
}

/**
 * What the unsubscribe page calls: pauses (or deletes) the subscription. Wired to the
 * subscriptions store by the server; false when there is no such subscription.
 */
export interface Unsubscriber {
  unsubscribe(subscriptionId: string): Promise<boolean>;
}
