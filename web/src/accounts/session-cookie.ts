import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (other sites' forms and
 * fetches do not carry it; a followed link still does) and, over HTTPS, Secure with the
 * `__Host-` prefix, which browsers only accept from this host, on path /, over TLS
 * (RFC 6265bis §4.1.3.2). OWASP's session management cheat sheet asks for all four.
 */
const PLAIN = 'airbox_session';
const HOST_ONLY = '__Host-airbox_session';

export interface CookiePolicy {
  /** Mark cookies Secure: true behind TLS. Default: when the request came over HTTPS. */
  secure?: boolean;
}

function isSecure(policy: CookiePolicy, req: FastifyRequest): boolean {
  return policy.secure ?? req.protocol === 'https';
}

/** The session token the request carries, or null. */
export function sessionToken(req: FastifyRequest): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  let plain: string | null = null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(value)) continue;
    if (name === HOST_ONLY) return value;
    if (name === PLAIN) plain = value;
  }
  return plain;
}

export function setSessionCookie(
  reply: FastifyReply,
  policy: CookiePolicy,
  token: string,
  maxAgeMs: number,
): void {
  const secure = isSecure(policy, reply.request);
  const attributes = [
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
  ];
  if (secure) attributes.push('Secure');
  void reply.header(
    'Set-Cookie',
    `${secure ? HOST_ONLY : PLAIN}=${token}; ${attributes.join('; ')}`,
  );
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  const secure = isSecure(policy, reply.request);
  const attributes = ['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (secure) attributes.push('Secure');
  void reply.header('Set-Cookie', `${secure ? HOST_ONLY : PLAIN}=; ${attributes.join('; ')}`);
}
