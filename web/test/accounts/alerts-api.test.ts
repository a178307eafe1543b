import { describe, expect, it } from 'vitest';
import type { ApiOptions } from '../../src/index.ts';
import { reading } from '../helpers.ts';
import { accountsApi, as, signUp } from './helpers.ts';

const HOOK = { type: 'webhook', url: 'http://127.0.0.1:9/hook' };
const MAIL = { type: 'email', address: 'mei@example.org' };

async function world(alerts?: ApiOptions['alerts']) {
  const api = await accountsApi({ alerts });
  const mei = await signUp(api.app, 'mei@example.org');
  const other = await signUp(api.app, 'other@example.org');
  await api.app.inject({
    method: 'POST',
    url: '/api/v1/me/devices',
    headers: as(other),
    payload: {
      deviceId: 'their-home',
      name: 'Home',
      lat: 25.03,
      lon: 121.56,
      visibility: 'private',
    },
  });
  await api.app.inject({
    method: 'POST',
    url: '/api/v1/me/devices',
    headers: as(other),
    payload: { deviceId: 'their-balcony', name: 'Balcony', lat: 25.03, lon: 121.56 },
  });
  return { ...api, mei, other };
}

type World = Awaited<ReturnType<typeof world>>;

const post = (w: World, who: World['mei'], payload: Record<string, unknown>) =>
  w.app.inject({ method: 'POST', url: '/api/v1/me/alerts', headers: as(who), payload });

describe('POST /api/v1/me/alerts', () => {
  it('subscribes to a public box, shows the secret once, and lists it without', async () => {
    const w = await world();
    const res = await post(w, w.mei, {
      target: { deviceId: 'their-balcony' },
      kind: 'threshold',
      thresholdUgM3: 35,
      forMinutes: 15,
      channel: MAIL,
      locale: 'en',
    });
    expect(res.statusCode).toBe(201);
    const { id, secret } = res.json<{ id: string; secret: string }>();
    expect(secret.length).toBeGreaterThan(40);
    const list = await w.app.inject({ url: '/api/v1/me/alerts', headers: as(w.mei) });
    expect(list.json()).toEqual({
      alerts: [
        expect.objectContaining({
          id,
          paused: false,
          kind: 'threshold',
          thresholdUgM3: 35,
          forMinutes: 15,
          clearBelowUgM3: 30,
          clearForMinutes: 15,
          locale: 'en',
        }),
      ],
    });
    expect(list.body).not.toContain(secret);
    const theirs = await w.app.inject({ url: '/api/v1/me/alerts', headers: as(w.other) });
    expect(theirs.json()).toEqual({ alerts: [] });
  });

  it.each([
    [
      'a malformed area',
      { target: { area: { lat: 25 } }, kind: 'offline', offlineAfterMinutes: 5 },
      'bad-body',
      'target',
    ],
    [
      'an unknown county',
      { target: { area: { county: 'Atlantis' } }, kind: 'offline', offlineAfterMinutes: 5 },
      'invalid-alert',
      'target.area.county',
    ],
    [
      'a threshold of zero',
      { target: { deviceId: 'their-balcony' }, kind: 'threshold', thresholdUgM3: 0 },
      'bad-body',
      'thresholdUgM3',
    ],
    [
      'a threshold above 1000',
      { target: { deviceId: 'their-balcony' }, kind: 'threshold', thresholdUgM3: 5000 },
      'bad-body',
      'thresholdUgM3',
    ],
    [
      'more than a day',
      {
        target: { deviceId: 'their-balcony' },
        kind: 'threshold',
        thresholdUgM3: 35,
        forMinutes: 2000,
      },
      'bad-body',
      'forMinutes',
    ],
    [
      'no threshold',
      { target: { deviceId: 'their-balcony' }, kind: 'threshold' },
      'invalid-alert',
      'thresholdUgM3',
    ],
    [
      'a clear level above the threshold',
      {
        target: { deviceId: 'their-balcony' },
        kind: 'threshold',
        thresholdUgM3: 35,
        clearBelowUgM3: 50,
      },
      'invalid-alert',
      'clearBelowUgM3',
    ],
    [
      'offline without minutes',
      { target: { deviceId: 'their-balcony' }, kind: 'offline' },
      'invalid-alert',
      'offlineAfterMinutes',
    ],
  ])('refuses %s, naming the field, and stores nothing', async (_name, body, code, field) => {
    const w = await world();
    const res = await post(w, w.mei, { channel: MAIL, ...body });
    expect(res.statusCode).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe(code);
    expect(error.message).toContain(field);
    expect(await w.registry.alerts.listOf({ kind: 'account', id: w.mei.accountId })).toEqual([]);
  });

  it('refuses a webhook to a private address unless the operator allows those', async () => {
    const w = await world();
    const body = {
      target: { deviceId: 'their-balcony' },
      kind: 'offline',
      offlineAfterMinutes: 5,
      channel: HOOK,
    };
    const res = await post(w, w.mei, body);
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('private-webhook-address');
    const lan = await world({ allowPrivateWebhooks: true, active: () => [] });
    expect((await post(lan, lan.mei, body)).statusCode).toBe(201);
  });

  it('answers a private box of another account as unknown: its existence is not told', async () => {
    const w = await world();
    const res = await post(w, w.mei, {
      target: { deviceId: 'their-home' },
      kind: 'offline',
      offlineAfterMinutes: 5,
      channel: MAIL,
    });
    const nothing = await post(w, w.mei, {
      target: { deviceId: 'nothing' },
      kind: 'offline',
      offlineAfterMinutes: 5,
      channel: MAIL,
    });
    expect([res.statusCode, nothing.statusCode]).toEqual([404, 404]);
    expect(res.json<{ error: { message: string } }>().error.message).toBe(
      nothing.json<{ error: { message: string } }>().error.message.replace('nothing', 'their-home'),
    );
  });

  it('an organisation owns what a member subscribes for it; members see, pause and delete it', async () => {
    const w = await world();
    const org = (
      await w.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: as(w.mei),
        payload: { name: 'School', kind: 'school' },
      })
    ).json<{ id: string }>();
    const res = await post(w, w.mei, {
      orgId: org.id,
      target: { orgId: org.id },
      kind: 'offline',
      offlineAfterMinutes: 30,
      channel: MAIL,
    });
    expect(res.statusCode).toBe(201);
    const { id } = res.json<{ id: string }>();
    expect((await w.registry.alerts.get(id))?.owner).toEqual({ kind: 'org', id: org.id });
    const notMember = await post(w, w.other, {
      orgId: org.id,
      target: { orgId: org.id },
      kind: 'offline',
      offlineAfterMinutes: 30,
      channel: MAIL,
    });
    expect(notMember.statusCode).toBe(404);
    const paused = await w.app.inject({
      method: 'PATCH',
      url: `/api/v1/me/alerts/${id}`,
      headers: as(w.mei),
      payload: { paused: true },
    });
    expect(paused.json()).toMatchObject({ id, paused: true });
    expect(await w.registry.alerts.listActive()).toEqual([]);
    const gone = await w.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/alerts/${id}`,
      headers: as(w.mei),
    });
    expect(gone.statusCode).toBe(204);
    expect(await w.registry.alerts.get(id)).toBeNull();
  });
});

describe('GET /api/v1/alerts/active', () => {
  it('is public, and empty where nothing evaluates', async () => {
    const w = await world();
    const res = await w.app.inject({ url: '/api/v1/alerts/active' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ alerts: [] });
  });

  it('tells what the evaluator has ongoing', async () => {
    const ongoing = {
      area: { county: '台北市' },
      label: '台北市',
      kind: 'threshold' as const,
      thresholdUgM3: 35,
      scale: null,
      category: null,
      since: '2026-12-08T01:00:00.000Z',
    };
    const w = await world({ allowPrivateWebhooks: false, active: () => [ongoing] });
    const res = await w.app.inject({ url: '/api/v1/alerts/active' });
    expect(res.json()).toEqual({ alerts: [ongoing] });
    // For the school page: only the alerts whose area holds the box.
    await w.store.write([
      reading('taipei-1', Date.UTC(2026, 11, 7, 11)),
      reading('kaohsiung-1', Date.UTC(2026, 11, 7, 11), { lat: 22.63, lon: 120.3 }),
    ]);
    const of = async (id: string) =>
      (await w.app.inject({ url: `/api/v1/alerts/active?deviceId=${id}` })).json<{
        alerts: unknown[];
      }>().alerts;
    expect(await of('taipei-1')).toEqual([ongoing]);
    expect(await of('kaohsiung-1')).toEqual([]);
    expect(await of('nothing')).toEqual([]);
  });
});

describe('the OpenAPI document', () => {
  it('describes the alert routes and the body of a new alert', async () => {
    const w = await world();
    const doc = (await w.app.inject({ url: '/api/v1/openapi.json' })).json<{
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(Object.keys(doc.paths['/api/v1/me/alerts'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/me/alerts/{id}'] ?? {}).sort()).toEqual([
      'delete',
      'patch',
    ]);
    expect(doc.paths['/api/v1/alerts/active']).toHaveProperty('get');
    expect(JSON.stringify(doc.components.schemas['NewAlert'])).toContain('thresholdUgM3');
  });
});
