import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { RawSource, SequencedRawMessage } from '@airbox/contracts';
import { openSqliteRegistry, type Registry } from '@airbox/registry';
import type { ResetMailOptions } from '../../src/accounts/options.ts';
import type { ApiOptions } from '../../src/index.ts';
import { apiWith } from '../helpers.ts';

/** An API over a real in-memory SQLite registry, with a clock the test moves. */
export async function accountsApi(
  opts: {
    rateLimit?: false | { max: number };
    secureCookies?: boolean;
    signup?: 'open' | 'closed';
    mail?: ResetMailOptions;
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
    raw: keptRaw(),
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
    accounts: {
      registry,
      mqtt: { host: 'airbox.example.org', port: 1883 },
      afterDeviceChange: () => Promise.resolve(void (changes += 1)),
      ...(opts.secureCookies === undefined ? {} : { cookies: { secure: opts.secureCookies } }),
      ...(opts.signup === undefined ? {} : { signup: opts.signup }),
      ...(opts.mail === undefined ? {} : { mail: opts.mail }),
    },
  });
  return { app, store, registry, clock, changes: () => changes };
}

/** A broker tap that kept one message of every box, a refused one, and hears no more. */
function keptRaw(): RawSource {
  const kept = (deviceId: string): SequencedRawMessage => ({
    seq: 1,
    deviceId,
    clientId: deviceId,
    topic: `airbox/v1/${deviceId}/config`,
    receivedAt: '2026-12-07T12:00:00.000Z',
    bytes: 19,
    text: '{"password":"hunter2"}',
    truncated: false,
    outcome: 'refused',
    code: 'not-authorized',
  });
  return { recentOf: (id, after = 0) => (after < 1 ? [kept(id)] : []), subscribe: () => () => {} };
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
