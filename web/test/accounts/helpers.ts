import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openSqliteRegistry, type Registry } from '@airbox/registry';
import type { ApiOptions } from '../../src/index.ts';
import { apiWith } from '../helpers.ts';

/** An API over a real in-memory SQLite registry, with a clock the test moves. */
export async function accountsApi(
  opts: {
    rateLimit?: false | { max: number };
    secureCookies?: boolean;
    alerts?: ApiOptions['alerts'];
  } = {},
) {
  const registry = await openSqliteRegistry(':memory:');
  let nowMs = Date.UTC(2026, 11, 7, 12);
  const clock = { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
  let changes = 0;
  const { app, store } = await apiWith([], {
    now: clock.now,
    rateLimit: opts.rateLimit ?? false,
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
    accounts: {
      registry,
      mqtt: { host: 'airbox.example.org', port: 1883 },
      afterDeviceChange: () => Promise.resolve(void (changes += 1)),
      ...(opts.secureCookies === undefined ? {} : { cookies: { secure: opts.secureCookies } }),
    },
  });
  return { app, store, registry, clock, changes: () => changes };
}

export interface Session {
  cookie: string;
  csrf: string;
  accountId: string;
}

function cookieOf(res: LightMyRequestResponse): string {
  const set = [res.headers['set-cookie'] ?? []].flat()[0] ?? '';
  return set.split(';')[0] ?? '';
}

/** Signs up a new account over HTTP and returns its cookie and CSRF token. */
export async function signUp(
  app: FastifyInstance,
  email: string,
  password = 'correct horse battery',
) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/accounts',
    payload: { email, password, displayName: email.split('@')[0] },
  });
  if (res.statusCode !== 201) throw new Error(`sign-up failed: ${res.body}`);
  const body = res.json<{ account: { id: string }; csrfToken: string }>();
  return {
    cookie: cookieOf(res),
    csrf: body.csrfToken,
    accountId: body.account.id,
  } satisfies Session;
}

/** Headers of a cookie-authenticated change, with the CSRF token unless told otherwise. */
export function as(s: Session, csrf: string | null = s.csrf): Record<string, string> {
  return { cookie: s.cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) };
}

export type { Registry };
