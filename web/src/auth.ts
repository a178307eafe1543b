import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ApiError, quoteInput } from './errors.ts';

/**
 * Who may read what is not public: a box's owner (the box's MQTT credentials as HTTP Basic)
 * and the operator (a bearer token given to the server). Both checks live here, so the
 * maker routes and the API ask the same way.
 */

/** The role of a valid, unrevoked username/password pair, or null (RegistryView.verify). */
export type CredentialCheck = (username: string, password: string) => 'device' | 'service' | null;

/** The credentials of `Authorization: <scheme> <credentials>`, the scheme in any case (RFC 7235 §2.1). */
function authorization(req: FastifyRequest, scheme: 'basic' | 'bearer'): string | null {
  const match = /^(\S+)\s+(\S+)\s*$/.exec(req.headers.authorization ?? '');
  if (match?.[1]?.toLowerCase() !== scheme) return null;
  return match[2] ?? null;
}

/** The `Authorization: Basic` pair (RFC 7617 §2), or null. */
export function basicCredentials(req: FastifyRequest): { user: string; password: string } | null {
  const encoded = authorization(req, 'basic');
  if (encoded === null || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon < 0 ? null : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/** The box's own credentials, or a service account's, speak for the box. */
export function ownsDevice(
  verify: CredentialCheck,
  req: FastifyRequest,
  deviceId: string,
): boolean {
  const creds = basicCredentials(req);
  if (creds === null) return false;
  const role = verify(creds.user, creds.password);
  return role === 'service' || (role === 'device' && creds.user === deviceId);
}

/** The 401 of a box route; not "Basic": a browser would pop its own login dialog. */
export function deviceUnauthorized(deviceId: string): ApiError {
  return new ApiError(
    401,
    'unauthorized',
    `box ${quoteInput(deviceId)}: sign in as its owner, or send Authorization: Basic with its MQTT username and the password it was given`,
    { 'WWW-Authenticate': 'AirboxDevice realm="airbox"' },
  );
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Throws unless the request carries `Authorization: Bearer <operator token>` (RFC 6750
 * §2.1). Compared as SHA-256 digests with timingSafeEqual: equal lengths whatever was sent,
 * and no early exit that would tell how much of a guess was right.
 */
/** Whether the request carries the operator token (compared as requireOperator does). */
export function isOperator(token: string | undefined, req: FastifyRequest): boolean {
  const sent = authorization(req, 'bearer');
  return token !== undefined && sent !== null && timingSafeEqual(digest(sent), digest(token));
}

export function requireOperator(token: string | undefined, req: FastifyRequest): void {
  if (token === undefined) {
    throw new ApiError(
      403,
      'forbidden',
      'this server has no operator token; start it with --operator-token-file or AIRBOX_OPERATOR_TOKEN',
    );
  }
  const sent = authorization(req, 'bearer');
  if (sent === null || !timingSafeEqual(digest(sent), digest(token))) {
    throw new ApiError(
      401,
      'unauthorized',
      'operators only: send Authorization: Bearer with the operator token',
      {
        'WWW-Authenticate': `Bearer realm="airbox operator"${sent === null ? '' : ', error="invalid_token"'}`,
      },
    );
  }
}
