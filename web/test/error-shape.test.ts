import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { createApi, MetricsRegistry, type DeviceAdmin } from '../src/index.ts';

/**
 * Over a real socket (createApi on 127.0.0.1 with a built app folder): every error the
 * server answers — its own, Fastify's, @fastify/static's and Node's HTTP parser's — is
 * `{"error":{"code","message"}}` with a stable code; every page carries its CSP; the
 * Authorization scheme is matched in any case.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One raw HTTP/1.1 request; the answer may come before the body is sent (413). */
function send(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    // The server may close before the rest of a refused body is written.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? undefined : reject(e)));
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}

const basic = (scheme: string, user: string, password: string) =>
  `${scheme} ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const admin: DeviceAdmin = {
  verify: (user, password) => (user === 'box-a' && password === 'secret-a' ? 'device' : null),
  retained: () => Promise.resolve(Buffer.from('{"intervalS":60}')),
  publishRetained: () => Promise.resolve(),
};

describe('errors, pages and credentials over a real socket', () => {
  const dir = tempDir('error-shape');
  let app: FastifyInstance;
  let port = 0;

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'assets'));
    writeFileSync(join(dir.path, 'index.html'), '<!doctype html><title>AirBox</title>');
    writeFileSync(join(dir.path, 'assets', 'app-1234.js'), 'console.log(1)');
    const store = openSqliteStore({ path: ':memory:' });
    app = createApi({
      store,
      metrics: new MetricsRegistry(),
      rateLimit: false,
      appDir: dir.path,
      deviceAdmin: admin,
    });
    app.addHook('onClose', () => store.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(async () => {
    await app.close();
    dir.remove();
  });

  const config = '/app/v1/devices/box-a/config';
  const owner = { authorization: basic('Basic', 'box-a', 'secret-a') };
  const put = (contentType: string, body: string, extra: Record<string, string> = {}) =>
    send(port, config, {
      method: 'PUT',
      headers: { ...owner, 'content-type': contentType, ...extra },
      body,
    });
  const cases: [string, number, string, () => Promise<Answer>][] = [
    [
      'headers too large (Node)',
      431,
      'headers-too-large',
      () => send(port, '/healthz', { headers: { 'x-big': 'a'.repeat(20_000) } }),
    ],
    [
      'a body over the limit',
      413,
      'body-too-large',
      () => put('application/json', '{"intervalS":', { 'content-length': '2000000' }),
    ],
    ['a body type nobody parses', 415, 'unsupported-media-type', () => put('text/xml', '<c/>')],
    ['a JSON body that is not JSON', 400, 'bad-body', () => put('application/json', '{')],
    ['a URL that is not percent-encoding', 400, 'bad-request', () => send(port, '/%3Cscript%')],
    [
      'a static path outside the app',
      403,
      'forbidden',
      () => send(port, '/assets/%2e%2e/index.html'),
    ],
    ['a missing asset', 404, 'not-found', () => send(port, '/assets/nope.js')],
    ['no route', 404, 'not-found', () => send(port, '/api/v2/nothing')],
  ];

  it.each(cases)('%s → %i %s', async (_what, status, code, ask) => {
    const res = await ask();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(res.body).not.toMatch(/<script/i);
  });

  it('serves /index.html with the pages’ Content-Security-Policy', async () => {
    const page = await send(port, '/');
    const file = await send(port, '/index.html');
    expect(file.status).toBe(200);
    const csp = file.headers['content-security-policy'];
    expect(csp).toBe(page.headers['content-security-policy']);
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("script-src 'self'");
  });

  it('takes the Authorization scheme in any case (RFC 7235 §2.1)', async () => {
    for (const scheme of ['Basic', 'basic', 'BASIC', 'bAsIc']) {
      const res = await send(port, config, {
        headers: { authorization: basic(scheme, 'box-a', 'secret-a') },
      });
      expect(res.status, scheme).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ config: { intervalS: 60 } });
    }
    const wrong = await send(port, config, {
      headers: { authorization: basic('basic', 'box-a', 'nope') },
    });
    expect(wrong.status).toBe(401);
  });
});
