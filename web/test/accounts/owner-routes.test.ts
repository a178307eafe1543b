import type { FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { accountsApi, as, signUp, type Session } from './helpers.ts';

/**
 * Every route that only an owner (or an organisation's admin) may use, tried by nobody, by
 * another account, by the owner without or with a forged CSRF token, and with a revoked API
 * key: each refused with a coded error, and nothing changed.
 */
interface Attempt {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  payload?: Record<string, unknown>;
}

async function world() {
  const api = await accountsApi();
  const { app, registry } = api;
  const owner = await signUp(app, 'owner@example.org');
  const other = await signUp(app, 'other@example.org');
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/me/devices',
    headers: as(owner),
    payload: { deviceId: 'home-01', name: 'Home', lat: 25.03, lon: 121.56, visibility: 'private' },
  });
  const { password } = created.json<{ password: string }>();
  const org = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/orgs',
      headers: as(owner),
      payload: { name: 'School', kind: 'school' },
    })
  ).json<{ id: string }>();
  const key = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/api-keys',
      headers: as(owner),
      payload: { name: 'k' },
    })
  ).json<{ id: string; key: string }>();
  const revoked = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/api-keys',
      headers: as(owner),
      payload: { name: 'old' },
    })
  ).json<{ id: string; key: string }>();
  await app.inject({
    method: 'DELETE',
    url: `/api/v1/me/api-keys/${revoked.id}`,
    headers: as(owner),
  });
  const alert = (
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/alerts',
      headers: as(owner),
      payload: {
        target: { deviceId: 'home-01' },
        kind: 'threshold',
        thresholdUgM3: 35,
        channel: { type: 'email', address: 'owner@example.org' },
      },
    })
  ).json<{ id: string }>();
  const snapshot = async () =>
    JSON.stringify({
      alerts: await registry.alerts.listOf({ kind: 'account', id: owner.accountId }),
      device: await registry.devices.get('home-01'),
      members: await registry.orgs.members(org.id),
      keys: await registry.apiKeys.list(owner.accountId),
      orgs: await registry.orgs.listOf(other.accountId),
    });
  return {
    ...api,
    owner,
    other,
    password,
    orgId: org.id,
    key,
    revokedKey: revoked.key,
    alertId: alert.id,
    snapshot,
  };
}

function attempts(orgId: string, ownerId: string, keyId: string, alertId: string): Attempt[] {
  return [
    {
      name: 'pause alert',
      method: 'PATCH',
      url: `/api/v1/me/alerts/${alertId}`,
      payload: { paused: true },
    },
    { name: 'delete alert', method: 'DELETE', url: `/api/v1/me/alerts/${alertId}` },
    { name: 'rotate', method: 'POST', url: '/api/v1/devices/home-01/credentials' },
    {
      name: 'change',
      method: 'PATCH',
      url: '/api/v1/devices/home-01',
      payload: { visibility: 'public' },
    },
    { name: 'remove', method: 'DELETE', url: '/api/v1/devices/home-01' },
    {
      name: 'transfer',
      method: 'POST',
      url: '/api/v1/devices/home-01/transfer',
      payload: { orgId },
    },
    {
      name: 'add member',
      method: 'POST',
      url: `/api/v1/orgs/${orgId}/members`,
      payload: { email: 'other@example.org', role: 'admin' },
    },
    { name: 'remove member', method: 'DELETE', url: `/api/v1/orgs/${orgId}/members/${ownerId}` },
    { name: 'revoke key', method: 'DELETE', url: `/api/v1/me/api-keys/${keyId}` },
    { name: 'organisation page', method: 'GET', url: `/api/v1/orgs/${orgId}` },
    { name: 'raw tail', method: 'GET', url: '/api/v1/devices/home-01/raw.sse' },
    { name: 'dead letters', method: 'GET', url: '/api/v1/devices/home-01/dead-letters' },
  ];
}

type Who = 'nobody' | 'another account' | 'no CSRF token' | 'forged CSRF token' | 'revoked API key';

function headersFor(who: Who, w: Awaited<ReturnType<typeof world>>): Record<string, string> {
  const { owner, other, revokedKey } = w;
  const byWho: Record<Who, Record<string, string>> = {
    nobody: {},
    'another account': as(other),
    'no CSRF token': as(owner, null),
    'forged CSRF token': as(owner, 'x'.repeat(owner.csrf.length)),
    'revoked API key': { authorization: `Bearer ${revokedKey}` },
  };
  return byWho[who];
}

const EXPECTED: Record<Who, { status: number[]; code: string[] }> = {
  nobody: { status: [401], code: ['not-signed-in'] },
  'another account': { status: [403, 404], code: ['forbidden', 'unknown-device', 'not-found'] },
  'no CSRF token': { status: [403], code: ['csrf-token-invalid'] },
  'forged CSRF token': { status: [403], code: ['csrf-token-invalid'] },
  'revoked API key': { status: [401], code: ['unauthorized'] },
};

describe('owner-only routes', async () => {
  const w = await world();
  const table = attempts(w.orgId, w.owner.accountId, w.key.id, w.alertId);
  const whos = Object.keys(EXPECTED) as Who[];
  const cases = table.flatMap((a) => whos.map((who) => ({ ...a, who })));

  it.each(cases)(
    '$name by $who: refused, nothing changed',
    async ({ method, url, payload, who }) => {
      // A GET needs no CSRF token: the owner's own reads are not attempts.
      if (method === 'GET' && (who === 'no CSRF token' || who === 'forged CSRF token')) return;
      const before = await w.snapshot();
      const res = await w.app.inject({
        method,
        url,
        headers: headersFor(who, w),
        ...(payload ? { payload } : {}),
      });
      const expected = EXPECTED[who];
      expect(expected.status).toContain(res.statusCode);
      expect(expected.code).toContain(res.json<{ error: { code: string } }>().error.code);
      expect(await w.snapshot()).toBe(before);
    },
  );

  it('a private box of another account is unknown, not forbidden: its existence is not told', async () => {
    const res = await w.app.inject({
      method: 'PATCH',
      url: '/api/v1/devices/home-01',
      headers: as(w.other),
      payload: { name: 'x' },
    });
    expect(res.statusCode).toBe(404);
  });

  it('the owner, with the token or an API key, does what the others could not', async () => {
    const viaKey = await w.app.inject({
      method: 'PATCH',
      url: '/api/v1/devices/home-01',
      headers: { authorization: `Bearer ${w.key.key}` },
      payload: { name: 'Living room' },
    });
    expect(viaKey.statusCode).toBe(200);
    expect(viaKey.json()).toMatchObject({
      name: 'Living room',
      owner: { kind: 'account', id: w.owner.accountId },
    });
    const rotate = await w.app.inject({
      method: 'POST',
      url: '/api/v1/devices/home-01/credentials',
      headers: as(w.owner),
    });
    expect(rotate.statusCode).toBe(201);
    expect(rotate.json<{ password: string }>().password).not.toBe(w.password);
    const letters = await w.app.inject({
      url: '/api/v1/devices/home-01/dead-letters',
      headers: { authorization: `Bearer ${w.key.key}` },
    });
    expect(letters.statusCode).toBe(200);
  });
});

export type { Session };

describe("a box's raw tail and dead letters", () => {
  /** The first event of the tail, or the coded refusal: a 200 would stream on. */
  async function tailOf(app: FastifyInstance, headers: Record<string, string>) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const url = `http://127.0.0.1:${port}/api/v1/devices/mine-1/raw.sse`;
    const res = await fetch(url, { headers });
    if (!res.ok) return { status: res.status, text: await res.text() };
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return { status: res.status, text: new TextDecoder().decode(value) };
  }

  it('are for its owner and its organisation; others are told as for every owner-only route', async () => {
    const { app } = await accountsApi();
    const owner = await signUp(app, 'maker@example.org');
    const other = await signUp(app, 'neighbour@example.org');
    const viewer = await signUp(app, 'teacher@example.org');
    await app.inject({
      method: 'POST',
      url: '/api/v1/me/devices',
      headers: as(owner),
      payload: { deviceId: 'mine-1', name: 'Mine', lat: 25, lon: 121.5, visibility: 'public' },
    });
    const letters = (headers: Record<string, string>) =>
      app.inject({ url: '/api/v1/devices/mine-1/dead-letters', headers });
    expect((await letters({ cookie: owner.cookie })).statusCode).toBe(200);
    // A public box: anyone may know it exists, so another account is forbidden, not told "unknown".
    const refused = await letters({ cookie: other.cookie });
    expect([refused.statusCode, refused.json<Coded>().error.code]).toEqual([403, 'forbidden']);
    const nobody = await letters({});
    expect([nobody.statusCode, nobody.json<Coded>().error.code]).toEqual([401, 'not-signed-in']);

    // Given to a school whose viewer the teacher is: the teacher may read it now.
    const org = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: as(owner),
        payload: { name: 'School', kind: 'school' },
      })
    ).json<{ id: string }>();
    await app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${org.id}/members`,
      headers: as(owner),
      payload: { email: 'teacher@example.org', role: 'viewer' },
    });
    const moved = await app.inject({
      method: 'POST',
      url: '/api/v1/devices/mine-1/transfer',
      headers: as(owner),
      payload: { orgId: org.id },
    });
    expect(moved.statusCode).toBe(200);
    expect((await letters({ cookie: viewer.cookie })).statusCode).toBe(200);
    const tail = await tailOf(app, { cookie: viewer.cookie });
    // As sent: the refused payload too, which the public never sees.
    expect(tail.status).toBe(200);
    expect(tail.text).toContain('hunter2');
    await app.close();
  });
});

type Coded = { error: { code: string } };
