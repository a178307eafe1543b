import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { createApi, MetricsRegistry, type DeviceAdmin } from '../../src/index.ts';

/**
 * The server half of the app (web/src/routes/app.ts), without a browser: page routes and
 * their security headers, the app config, and the maker routes that read a box's retained
 * status and publish its retained config — over a fake broker and registry.
 */

const PASSWORDS: Record<string, { password: string; role: 'device' | 'service' }> = {
  'box-1': { password: 'secret-1', role: 'device' },
  'box-2': { password: 'secret-2', role: 'device' },
  ops: { password: 'ops-secret', role: 'service' },
};

function fakeAdmin() {
  const retained = new Map<string, Uint8Array>([
    ['airbox/v1/box-1/status', Buffer.from('{"online":true,"uptimeS":3600,"backlog":4}')],
  ]);
  const admin: DeviceAdmin = {
    verify: (user, password) =>
      PASSWORDS[user]?.password === password ? (PASSWORDS[user]?.role ?? null) : null,
    retained: async (topic) => retained.get(topic) ?? null,
    publishRetained: async (topic, payload) => void retained.set(topic, payload),
  };
  return { admin, retained };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('app routes', () => {
  const dir = tempDir('app-routes');
  const { admin, retained } = fakeAdmin();
  const store = openSqliteStore({ path: ':memory:' });
  const app = createApi({
    store,
    metrics: new MetricsRegistry(),
    rateLimit: false,
    appDir: dir.path,
    mapStyleUrl: 'https://tiles.example.org/style.json',
    deviceAdmin: admin,
  });

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dir.path, 'assets', 'main-abc123.js'), 'export {};');
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    dir.remove();
  });

  it('answers every page route with the app, scripts limited to our origin', async () => {
    for (const url of ['/', '/school/box-1', '/device/box-1', '/download', '/embed/box-1']) {
      const res = await app.inject(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<div id="app">');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    }
    // Only the widget may sit in other sites' iframes.
    const embed = await app.inject('/embed/box-1');
    expect(embed.headers['content-security-policy']).toContain('frame-ancestors *');
    const map = await app.inject('/');
    expect(map.headers['content-security-policy']).toContain("frame-ancestors 'self'");
    const asset = await app.inject('/assets/main-abc123.js');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/api/v1/no-such-route')).json()).toMatchObject({
      error: { code: 'not-found' },
    });
  });

  it('tells the app its tile style and whether it may edit devices', async () => {
    expect((await app.inject('/app/config.json')).json()).toEqual({
      mapStyleUrl: 'https://tiles.example.org/style.json',
      maker: true,
      // No accounts on this server: nobody signs up, nobody resets a password by mail.
      signup: false,
      passwordReset: false,
    });
  });

  it('relays a box’s retained status to anyone, its config only to its owner', async () => {
    expect((await app.inject('/app/v1/devices/box-1/status')).json()).toEqual({
      status: { online: true, uptimeS: 3600, backlog: 4 },
    });
    const url = '/app/v1/devices/box-1/config';
    expect((await app.inject(url)).statusCode).toBe(401);
    const other = await app.inject({ url, headers: { authorization: basic('box-2', 'secret-2') } });
    expect(other.statusCode).toBe(401);
    const own = await app.inject({ url, headers: { authorization: basic('box-1', 'secret-1') } });
    expect(own.json()).toEqual({ topic: 'airbox/v1/box-1/config', config: null });
  });

  it('publishes a valid config retained on the box’s config topic, and refuses a bad one', async () => {
    const put = (body: unknown, user = 'box-1', password = 'secret-1') =>
      app.inject({
        method: 'PUT',
        url: '/app/v1/devices/box-1/config',
        headers: { authorization: basic(user, password), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const bad = await put({ intervalS: 10, samplesPerReport: 30 });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: { code: 'bad-body', message: expect.stringContaining('samplesPerReport') },
    });
    expect((await put({ intervalS: 30, colour: 'red' })).statusCode).toBe(400);
    expect(retained.has('airbox/v1/box-1/config')).toBe(false);

    expect((await put({ intervalS: 30, samplesPerReport: 3 })).statusCode).toBe(200);
    const stored = retained.get('airbox/v1/box-1/config');
    expect(JSON.parse(Buffer.from(stored ?? []).toString())).toEqual({
      intervalS: 30,
      samplesPerReport: 3,
    });
    // A service account (operations) may configure any box.
    expect((await put({ format: 'lass' }, 'ops', 'ops-secret')).statusCode).toBe(200);
    expect((await put({ format: 'lass' }, 'box-1', 'wrong')).statusCode).toBe(401);
  });

  it('refuses a path id that is not a device id, without echoing markup', async () => {
    const res = await app.inject(`/app/v1/devices/${encodeURIComponent('<b>x</b>')}/status`);
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('<b>');
  });
});
