import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { API_KEY_PREFIX, type Account, type ApiKey, type Registry } from '@airbox/registry';
import { ApiError } from '../errors.ts';
import { sessionToken } from './session-cookie.ts';

/**
 * Who is asking: a signed-in account (its session cookie) or an account's API key
 * (`Authorization: Bearer abk_…`). Resolved once per request and kept beside it.
 */
export type Principal =
  | { via: 'session'; account: Account; token: string; csrfToken: string }
  | { via: 'key'; account: Account; key: ApiKey };

const resolved = new WeakMap<FastifyRequest, Promise<Principal | null>>();

function bearer(req: FastifyRequest): string | null {
  const match = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] ?? null;
}

/** The request's API key, if it sends one (whether or not it is valid). */
export function sentApiKey(req: FastifyRequest): string | null {
  const token = bearer(req);
  return token?.startsWith(API_KEY_PREFIX) === true ? token : null;
}

async function resolve(registry: Registry, req: FastifyRequest): Promise<Principal | null> {
  const key = sentApiKey(req);
  if (key !== null) {
    const found = await registry.apiKeys.verify(key);
    const account = found && (await registry.accounts.get(found.accountId));
    if (!found || !account) {
      throw new ApiError(401, 'unauthorized', 'this API key is unknown or revoked', {
        'WWW-Authenticate': 'Bearer realm="airbox", error="invalid_token"',
      });
    }
    return { via: 'key', account, key: found };
  }
  const token = sessionToken(req);
  if (token === null) return null;
  const session = await registry.sessions.get(token);
  const account = session && (await registry.accounts.get(session.accountId));
  if (!session || !account) return null;
  return { via: 'session', account, token, csrfToken: session.csrfToken };
}

/** Who sent the request, or null (anonymous). A bad API key is a 401, not anonymous. */
export function principalOf(registry: Registry, req: FastifyRequest): Promise<Principal | null> {
  let found = resolved.get(req);
  if (found === undefined) {
    found = resolve(registry, req);
    resolved.set(req, found);
  }
  return found;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The account behind the request, or a 401. A change made with the session cookie must
 * carry the session's CSRF token in X-CSRF-Token (OWASP CSRF cheat sheet: synchronizer
 * token), which another site's page cannot read; an API key is not sent by browsers on their
 * own, so it needs none.
 */
export async function requireAccount(registry: Registry, req: FastifyRequest): Promise<Principal> {
  const who = await principalOf(registry, req);
  if (who === null) {
    throw new ApiError(
      401,
      'not-signed-in',
      'sign in first (POST /api/v1/session) or send an API key',
    );
  }
  if (who.via === 'session' && !SAFE_METHODS.has(req.method) && !csrfMatches(req, who.csrfToken)) {
    throw new ApiError(
      403,
      'csrf-token-invalid',
      'send the header X-CSRF-Token with the csrfToken of GET /api/v1/me',
    );
  }
  return who;
}

function csrfMatches(req: FastifyRequest, expected: string): boolean {
  const sent = req.headers['x-csrf-token'];
  if (typeof sent !== 'string') return false;
  const [a, b] = [Buffer.from(sent), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Operators only: the account's operator role. */
export function requireOperatorAccount(who: Principal): void {
  if (!who.account.operator) {
    throw new ApiError(403, 'forbidden', 'only an operator may do this');
  }
}
