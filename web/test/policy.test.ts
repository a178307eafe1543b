import { describe, expect, it } from 'vitest';
import type { RouteOptions } from 'fastify';
import { apiWith, HOUR_MS, reading, T0, type ErrorJson } from './helpers.ts';
import type { SurfaceQuery } from '../src/index.ts';

describe('ETag on /api/v1/readings/latest', () => {
  it('answers 304 while nothing changed and a new tag once a reading arrives', async () => {
    const { app, store } = await apiWith([reading('a', T0), reading('b', T0)]);
    const first = await app.inject('/api/v1/readings/latest');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"[0-9a-z]+-2"$/);
    expect(first.headers['cache-control']).toBe('no-cache');

    const again = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const listed = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': `W/"other", ${etag.slice(2)}` }, // weak comparison
    });
    expect(listed.statusCode).toBe(304);

    await store.write([reading('a', T0 + HOUR_MS)]);
    const changed = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': etag },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json()).toMatchObject({ readings: [{ deviceId: 'a' }, { deviceId: 'b' }] });
  });

  it('filters by bbox, and the tag follows the filtered answer', async () => {
    const { app } = await apiWith([reading('a', T0), reading('k', T0, { lat: 22.6, lon: 120.3 })]);
    const res = await app.inject('/api/v1/readings/latest?bbox=121,24,122,26');
    expect(res.json()).toEqual({ readings: [expect.objectContaining({ deviceId: 'a' })] });
    expect(res.headers.etag).toMatch(/-1"$/);
  });
});

describe('CORS', () => {
  const origin = { origin: 'https://map.example' };

  it('allows reads of /api/v1 and /healthz from any origin, not /metrics', async () => {
    const { app } = await apiWith([reading('a', T0)]);
    const api = await app.inject({ url: '/api/v1/devices', headers: origin });
    expect(api.headers['access-control-allow-origin']).toBe('*');
    expect(String(api.headers['access-control-expose-headers'])).toContain('ETag');
    const health = await app.inject({ url: '/healthz', headers: origin });
    expect(health.headers['access-control-allow-origin']).toBe('*');
    const metrics = await app.inject({ url: '/metrics', headers: origin });
    expect(metrics.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives nothing to other methods, nor to a preflight asking for one', async () => {
    const { app } = await apiWith([]);
    for (const method of ['POST', 'DELETE', 'PUT'] as const) {
      const res = await app.inject({ method, url: '/api/v1/devices', headers: origin });
      expect(res.headers['access-control-allow-origin'], method).toBeUndefined();
    }
    const preflight = (method: string) =>
      app.inject({
        method: 'OPTIONS',
        url: '/api/v1/series',
        headers: { ...origin, 'access-control-request-method': method },
      });
    const get = await preflight('GET');
    expect(get.statusCode).toBe(204);
    expect(get.headers['access-control-allow-methods']).toBe('GET, HEAD');
    const post = await preflight('POST');
    expect(post.headers['access-control-allow-origin']).toBeUndefined();
    expect(post.statusCode).toBe(404);
  });

  it('names the configured origin instead of *', async () => {
    const { app } = await apiWith([], { corsOrigin: 'https://map.example' });
    const res = await app.inject({ url: '/api/v1/devices', headers: origin });
    expect(res.headers['access-control-allow-origin']).toBe('https://map.example');
  });
});

describe('rate limit', () => {
  it('answers 429 with a JSON error and Retry-After past the limit; /healthz and /metrics are exempt', async () => {
    const { app } = await apiWith([], { rateLimit: { max: 3, timeWindowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await app.inject('/api/v1/devices')).statusCode).toBe(200);
    const limited = await app.inject('/api/v1/devices');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json<ErrorJson>().error).toEqual({
      code: 'rate-limited',
      message: expect.stringContaining('more than 3 requests'),
    });
    for (let i = 0; i < 5; i++) expect((await app.inject('/healthz')).statusCode).toBe(200);
    const metrics = await app.inject('/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('airbox_api_rate_limited_total 1\n');
  });

  it('counts each client behind a trusted proxy separately', async () => {
    const { app } = await apiWith([], { rateLimit: { max: 1 }, trustProxy: true });
    const from = (ip: string) =>
      app.inject({ url: '/api/v1/devices', headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).statusCode).toBe(200);
    expect((await from('203.0.113.2')).statusCode).toBe(200);
    expect((await from('203.0.113.1')).statusCode).toBe(429);
  });

  it('is on by default and generous', async () => {
    const { app } = await apiWith([], { rateLimit: undefined });
    const res = await app.inject('/api/v1/devices');
    expect(res.headers['ratelimit-limit']).toBe('600');
  });
});

describe('OpenAPI', () => {
  it('describes every registered /api/v1 route and method, and only those', async () => {
    const { app } = await apiWith([]);
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (r) => void routes.push(r));
    await app.ready();
    const doc = (await app.inject('/api/v1/openapi.json')).json<{
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    const served = routes
      .filter((r) => /^\/(api\/v1|opendata|healthz|readyz|metrics|status)/.test(r.url))
      .flatMap((r) => [r.method].flat().map((m) => `${m.toLowerCase()} ${r.url}`))
      .filter((m) => !m.startsWith('head ') && !m.startsWith('options '))
      .map((m) => m.replace(/:(\w+)/g, '{$1}'))
      .sort();
    expect(served).toContain('get /api/v1/live');
    expect(served).toContain('post /api/v1/me/devices');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(documented).toEqual(served);

    // Every $ref points at a component.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const id = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(doc.components.schemas[id], ref).toBeDefined();
    }
  });

  it('generates the parameters from the zod schemas', async () => {
    const { app } = await apiWith([]);
    const doc = (await app.inject('/api/v1/openapi.json')).json<{
      paths: Record<
        string,
        {
          get: {
            parameters: { name: string; required: boolean; schema: Record<string, unknown> }[];
          };
        }
      >;
    }>();
    const params = doc.paths['/api/v1/series']!.get.parameters;
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual([
      'agg',
      'bbox',
      'device',
      'format',
      'from',
      'to',
      'tz',
    ]);
    expect(byName['from']).toMatchObject({
      in: 'query',
      required: true,
      schema: { format: 'date-time' },
    });
    expect(byName['agg']).toMatchObject({
      required: false,
      schema: { enum: ['raw', '1h', '1d'], default: 'raw' },
    });
    expect(doc.paths['/api/v1/devices/{id}']!.get.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
  });
});

describe('extension points', () => {
  it('serves calibration models and the surface once given, and says so until then', async () => {
    const calls: SurfaceQuery[] = [];
    const { app } = await apiWith([], {
      models: async () => [{ id: 'epa-barkjohn-2021@1', active: true }],
      surface: async (q) => {
        calls.push(q);
        return { cells: [[1]] };
      },
    });
    expect((await app.inject('/api/v1/calibration/models')).json()).toEqual({
      models: [{ id: 'epa-barkjohn-2021@1', active: true }],
    });
    const surface = await app.inject(
      '/api/v1/surface?method=kriging&bbox=120,21.8,122.1,25.4&size=32',
    );
    expect(surface.json()).toEqual({ cells: [[1]] });
    await app.inject('/api/v1/surface'); // every parameter left to the surface module
    expect(calls).toEqual([
      { method: 'kriging', bbox: { west: 120, south: 21.8, east: 122.1, north: 25.4 }, size: 32 },
      { method: 'idw' },
    ]);

    const { app: bare } = await apiWith([]);
    expect((await bare.inject('/api/v1/calibration/models')).json()).toEqual({ models: [] });
    const missing = await bare.inject('/api/v1/surface?bbox=120,21.8,122.1,25.4');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<ErrorJson>().error.code).toBe('not-available');
  });
});
