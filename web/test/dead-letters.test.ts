import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openSqliteStore, type DeadLetter, type SqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry, type DeviceAdmin } from '../src/index.ts';
import { iso, T0 } from './helpers.ts';

/**
 * The dead letters over a real socket (createApi on 127.0.0.1, a real SQLite store): what a
 * visitor, another box's owner, the box's owner and the operator each get, and how much.
 * The attack this answers: `GET /api/v1/dead-letters?limit=10000` after boxes sent 2,000
 * refused 64 KB payloads answered 300 MB of JSON to anyone, payloads (a password) included.
 */

const TOKEN = 'operator-token-0123456789abcdef';
const PASSWORDS: Record<string, string> = { 'box-a': 'secret-a', 'box-b': 'secret-b' };
const SECRET = 'wifi-password=hunter2';
const BIG_LETTERS = 300;
const BIG_BYTES = 65_536;

/** The registry's check, as DeviceAdmin.verify answers it for two boxes. */
const admin: DeviceAdmin = {
  verify: (user, password) => (PASSWORDS[user] === password ? 'device' : null),
  retained: () => Promise.resolve(null),
  publishRetained: () => Promise.resolve(),
};

function letter(i: number, deviceId: string, payload: Uint8Array): DeadLetter {
  return {
    receivedAt: iso(T0 + i * 1000),
    topic: `airbox/v1/${deviceId}/config`,
    payload,
    clientId: deviceId,
    deviceId,
    code: 'not-authorized',
    reason: `devices may not publish config (airbox/v1/${deviceId}/config)`,
  };
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

interface Listed {
  deadLetters: {
    id: number;
    deviceId: string | null;
    payload: string;
    payloadText: string;
    payloadBytes: number;
    truncated: boolean;
  }[];
  next: number | null;
}

describe('dead letters over HTTP', () => {
  let store: SqliteStore;
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    store = openSqliteStore({ path: ':memory:' });
    await store.addDeadLetter(letter(0, 'box-a', new TextEncoder().encode(SECRET)));
    const big = new Uint8Array(BIG_BYTES).fill(0x41);
    for (let i = 1; i <= BIG_LETTERS; i++) await store.addDeadLetter(letter(i, 'box-b', big));
    app = createApi({
      store,
      metrics: new MetricsRegistry(),
      rateLimit: false,
      operatorToken: TOKEN,
      deviceAdmin: admin,
      appDir: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers });
  const operator = { authorization: `Bearer ${TOKEN}` };

  it('lists every box’s dead letters only to the operator token', async () => {
    const refused: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: basic('box-a', 'secret-a') },
    ];
    for (const headers of refused) {
      const res = await get('/api/v1/dead-letters?limit=10', headers);
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(body).not.toContain('hunter2');
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'unauthorized' } });
    }
    // The scheme is case-insensitive (RFC 7235 §2.1).
    const ok = await get('/api/v1/dead-letters?limit=500', { authorization: `bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    const listed = (await ok.json()) as Listed;
    expect(listed.deadLetters.map((l) => l.payloadText)).toContain(SECRET);
  });

  it('gives a box’s dead letters to its owner, and no other box’s', async () => {
    const path = '/api/v1/devices/box-a/dead-letters';
    expect((await get(path)).status).toBe(401);
    expect((await get(path, { authorization: basic('box-a', 'wrong') })).status).toBe(401);
    const other = await get(path, { authorization: basic('box-b', 'secret-b') });
    expect(other.status).toBe(401);
    expect(await other.text()).not.toContain('hunter2');

    const own = await get(path, { authorization: basic('box-a', 'secret-a') });
    expect(own.status).toBe(200);
    const listed = (await own.json()) as Listed;
    expect(listed.deadLetters.map((l) => [l.deviceId, l.payloadText])).toEqual([['box-a', SECRET]]);
    expect(listed.next).toBeNull();
  });

  it('caps a page, cuts payloads to a 1 KiB preview, and pages on with `before`', async () => {
    const huge = await get('/api/v1/dead-letters?limit=10000', operator);
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ error: { code: 'bad-query' } });

    const seen = new Set<number>();
    let before: number | null = null;
    let pages = 0;
    do {
      const res = await get(
        `/api/v1/dead-letters?limit=500${before === null ? '' : `&before=${before}`}`,
        operator,
      );
      expect(res.status).toBe(200);
      // Written row by row as a stream, not one string with a length.
      expect(res.headers.get('content-length')).toBeNull();
      const text = await res.text();
      const page = JSON.parse(text) as Listed;
      // 300 letters of 64 KB: a preview each, not 19 MB (base64 and text, twice that).
      expect(text.length).toBeLessThan(page.deadLetters.length * 3_000 + 1_000);
      for (const l of page.deadLetters) {
        expect(seen.has(l.id)).toBe(false);
        seen.add(l.id);
        if (l.deviceId === 'box-b') {
          expect(l).toMatchObject({ payloadBytes: BIG_BYTES, truncated: true });
          expect(Buffer.from(l.payload, 'base64')).toHaveLength(1024);
          expect(l.payloadText).toHaveLength(1024);
        }
      }
      before = page.next;
      pages++;
    } while (before !== null && pages < 10);
    expect(seen.size).toBe(BIG_LETTERS + 1);

    const small = (await (await get('/api/v1/dead-letters?limit=100', operator)).json()) as Listed;
    expect(small.deadLetters).toHaveLength(100);
    const rest = (await (
      await get(`/api/v1/dead-letters?limit=500&before=${small.next}`, operator)
    ).json()) as Listed;
    expect(rest.deadLetters).toHaveLength(BIG_LETTERS + 1 - 100);
    expect(rest.next).toBeNull();
  });

  it('keeps the event loop free while three pages are read at once', async () => {
    const pages = [1, 2, 3].map(() => get('/api/v1/dead-letters?limit=500', operator));
    const startedMs = Date.now();
    const health = await get('/healthz');
    const healthMs = Date.now() - startedMs;
    expect(health.status).toBe(200);
    for (const res of await Promise.all(pages)) {
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(healthMs).toBeLessThan(1_000);
  });

  it('says how to authenticate, and documents who may call each route', async () => {
    const res = await get('/api/v1/dead-letters');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const doc = (await (await get('/api/v1/openapi.json')).json()) as {
      paths: Record<string, { get: { security?: unknown } }>;
      components: { securitySchemes: Record<string, { scheme: string }> };
    };
    expect(doc.paths['/api/v1/dead-letters']?.get.security).toEqual([{ operatorToken: [] }]);
    expect(doc.paths['/api/v1/devices/{id}/dead-letters']?.get.security).toEqual([
      { session: [] },
      { apiKey: [] },
      { boxCredentials: [] },
      { operatorToken: [] },
    ]);
    expect(doc.components.securitySchemes['operatorToken']?.scheme).toBe('bearer');

    // A server given no operator token lists nobody's letters to anyone.
    const open = createApi({ store, metrics: new MetricsRegistry(), rateLimit: false });
    const refused = await open.inject({
      url: '/api/v1/dead-letters',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    await open.close();
  });

  it('shows no payload, reason or client on the public /status', async () => {
    const json = (await (await get('/status.json')).json()) as {
      deadLetters: Record<string, unknown>[];
    };
    expect(json.deadLetters.length).toBeGreaterThan(0);
    for (const l of json.deadLetters) {
      expect(Object.keys(l).sort()).toEqual(['code', 'receivedAt', 'topic']);
    }
    const page = await (await get('/status')).text();
    expect(page).not.toContain('hunter2');
    expect(page).not.toContain('may not publish');
  });
});
