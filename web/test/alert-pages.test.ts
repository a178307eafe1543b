import { DOMParser, type Element } from '@xmldom/xmldom';
import {
  ATOM_NS,
  CAP_NS,
  toOutboxMessage,
  unsubscribeUrl,
  UNSUBSCRIBE_KEY_NAME,
  type AlertEvent,
  type Subscription,
} from '@airbox/alerts';
import { openSqliteRegistry, type Registry } from '@airbox/registry';
import { afterEach, describe, expect, it } from 'vitest';
import { apiWith } from './helpers.ts';
import { subscription } from '../../alerts/test/fixtures/subscriptions.ts';

const PUBLIC = new URL('https://air.example.org/');
let registry: Registry;

afterEach(async () => {
  await registry?.close();
});

/** An English e-mail subscription for `target` (the feed reads only its target and kind). */
const sub = (id: string, target: Subscription['target']): Subscription =>
  subscription(id, { type: 'email', address: 'x@example.org' }, { target, locale: 'en' });

function ev(s: Subscription, type: AlertEvent['type'], at: string, label: string): AlertEvent {
  return {
    key: `${s.id}:${type}:${at}`,
    subscriptionId: s.id,
    type,
    kind: 'threshold',
    at,
    deviceIds: ['box-secret-1'],
    targetLabel: label,
    valueUgM3: type === 'alert' ? 71.2 : 20,
    thresholdUgM3: 35,
    category: null,
  };
}

async function setUp(unsubscribed: string[] | null = []) {
  registry = await openSqliteRegistry(':memory:');
  const unsubscriber =
    unsubscribed === null
      ? null
      : { unsubscribe: async (id: string) => (unsubscribed.push(id), id !== 'gone') };
  const { app } = await apiWith([], {
    alertPages: { outbox: registry.alertOutbox, publicUrl: PUBLIC, unsubscriber },
  });
  return app;
}

const children = (el: Element) =>
  Array.from({ length: el.childNodes.length }, (_, i) => el.childNodes[i]).filter(
    (n): n is Element => n !== null && n !== undefined && n.nodeType === 1,
  );

describe('the CAP 1.2 Atom feed of public area alerts', () => {
  it('lists area alerts as Atom entries carrying CAP alerts, a clear as a Cancel, and no box', async () => {
    const app = await setUp();
    const county = sub('sub-county', { area: { county: '臺北市' } });
    const circle = sub('sub-circle', { area: { lat: 25.03, lon: 121.56, radiusKm: 3 } });
    const box = sub('sub-box', { deviceId: 'box-secret-1' });
    const enqueue = (s: Subscription, e: AlertEvent) =>
      registry.alertOutbox.enqueue(toOutboxMessage(e, s));
    await enqueue(county, ev(county, 'alert', '2026-12-08T02:00:00.000Z', '臺北市'));
    await enqueue(box, ev(box, 'alert', '2026-12-08T02:01:00.000Z', 'My box'));
    await enqueue(circle, ev(circle, 'alert', '2026-12-08T02:02:00.000Z', '信義區 3 km'));
    await enqueue(county, ev(county, 'clear', '2026-12-08T03:00:00.000Z', '臺北市'));

    const res = await app.inject({ url: '/alerts.atom' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    expect(res.body).not.toContain('box-secret-1');
    expect(res.body).not.toContain('My box');
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (_l, m) => errors.push(m) }).parseFromString(
      res.body,
      'application/xml',
    );
    expect(errors).toEqual([]);
    const feed = doc.documentElement!;
    expect(feed.namespaceURI).toBe(ATOM_NS);
    for (const name of ['id', 'title', 'updated', 'author'])
      expect(feed.getElementsByTagNameNS(ATOM_NS, name).length).toBeGreaterThan(0);
    const entries = feed.getElementsByTagNameNS(ATOM_NS, 'entry');
    expect(entries.length).toBe(3);
    const alerts = Array.from(
      { length: 3 },
      (_, i) => entries[i]!.getElementsByTagNameNS(CAP_NS, 'alert')[0]!,
    );
    // CAP 1.2 §3.2.1: the alert's elements in the schema's order.
    expect(children(alerts[0]!).map((e) => e.localName)).toEqual([
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'scope',
      'references',
      'info',
    ]);
    const text = (el: Element, name: string) =>
      el.getElementsByTagNameNS(CAP_NS, name)[0]?.textContent;
    expect(text(alerts[0]!, 'msgType')).toBe('Cancel');
    expect(text(alerts[0]!, 'references')).toBe(
      'airbox@air.example.org,sub-county:alert:2026-12-08T02:00:00.000Z,2026-12-08T02:00:00+00:00',
    );
    expect(text(alerts[1]!, 'msgType')).toBe('Alert');
    expect(text(alerts[1]!, 'circle')).toBe('25.03,121.56 3');
    expect(text(alerts[2]!, 'areaDesc')).toBe('臺北市');
    for (const a of alerts) {
      expect(text(a, 'sent')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
      expect(text(a, 'status')).toBe('Actual');
      expect(text(a, 'scope')).toBe('Public');
      expect(text(a, 'category')).toBe('Env');
      const info = a.getElementsByTagNameNS(CAP_NS, 'info')[0]!;
      expect(
        children(info)
          .map((e) => e.localName)
          .slice(0, 7),
      ).toEqual([
        'language',
        'category',
        'event',
        'urgency',
        'severity',
        'certainty',
        'senderName',
      ]);
    }
  });
});

describe('the unsubscribe page', () => {
  it('shows a button on GET and stops the subscription only on POST', async () => {
    const calls: string[] = [];
    const app = await setUp(calls);
    const key = await registry.alertOutbox.serverKey(UNSUBSCRIBE_KEY_NAME);
    const link = new URL(unsubscribeUrl(PUBLIC, key, 'sub-42'));
    const path = `${link.pathname}${link.search}`;
    const shown = await app.inject({ url: path });
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('取消訂閱 · Unsubscribe');
    expect(shown.body).toContain('<form method="post"');
    expect(calls).toEqual([]);
    const done = await app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('已取消訂閱 · Unsubscribed');
    expect(calls).toEqual(['sub-42']);
  });

  it('refuses a link made for another id or by another key', async () => {
    const app = await setUp();
    const key = await registry.alertOutbox.serverKey(UNSUBSCRIBE_KEY_NAME);
    const token = new URL(unsubscribeUrl(PUBLIC, key, 'sub-42')).searchParams.get('token')!;
    const forged = `${Buffer.from('sub-43').toString('base64url')}.${token.split('.')[1]}`;
    for (const t of [forged, 'nonsense', `${token}x`]) {
      const res = await app.inject({ url: `/alerts/unsubscribe?token=${encodeURIComponent(t)}` });
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('連結無效 · Invalid link');
      const post = await app.inject({
        method: 'POST',
        url: `/alerts/unsubscribe?token=${encodeURIComponent(t)}`,
      });
      expect(post.statusCode).toBe(400);
    }
  });

  it('answers 503 when this server cannot change subscriptions', async () => {
    const app = await setUp(null);
    const key = await registry.alertOutbox.serverKey(UNSUBSCRIBE_KEY_NAME);
    const link = new URL(unsubscribeUrl(PUBLIC, key, 'sub-42'));
    const res = await app.inject({ method: 'POST', url: `${link.pathname}${link.search}` });
    expect(res.statusCode).toBe(503);
  });
});
