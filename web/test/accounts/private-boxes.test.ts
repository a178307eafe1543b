import type { LiveSource, RawSource, SequencedRawMessage, StoredReading } from '@airbox/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openSqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry, surfaceService, type LiveMessage } from '../../src/index.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, reading, T0, WsClient } from '../helpers.ts';

/**
 * A private box on every public route: the devices, the newest readings, series (JSON and
 * CSV, raw and hourly), the live stream, the raw tail (its owner's), the surface and /status —
 * nowhere.
 * A public home box: on every route, its position on the ~100 m grid unless its owner chose
 * the exact one.
 */
const NOW = T0 + DAY_MS;
const SECRET = 'secret-home';
const grid = [
  [25.03, 121.5],
  [25.03, 121.6],
  [25.1, 121.5],
  [25.1, 121.6],
  [25.065, 121.55],
  [25.0, 121.45],
] as const;

function network(): StoredReading[] {
  const out = grid.map(([lat, lon], i) =>
    reading(`out-${i}`, NOW - 10 * MINUTE_MS, { lat, lon, pm25CalibratedUgM3: 10 }),
  );
  const secret = [0, 1, 2].map((h) =>
    reading(SECRET, NOW - 10 * MINUTE_MS - h * HOUR_MS, {
      lat: 25.041234,
      lon: 121.561234,
      pm25UgM3: 400,
      pm25CalibratedUgM3: 390,
    }),
  );
  const home = reading('home-2', NOW - 10 * MINUTE_MS, { lat: 25.047654, lon: 121.517654 });
  return [...out, ...secret, home];
}

function rawSource(): RawSource {
  const message = (deviceId: string): SequencedRawMessage => ({
    seq: 1,
    deviceId,
    clientId: deviceId,
    topic: `airbox/v1/${deviceId}/reading`,
    receivedAt: new Date(NOW).toISOString(),
    bytes: 40,
    text: '{"lat":25.041234,"lon":121.561234,"pm25UgM3":400}',
    truncated: false,
    outcome: 'stored',
  });
  return { recentOf: (id) => [message(id)], subscribe: () => () => undefined };
}

async function api(exact: ReadonlySet<string> = new Set()) {
  const store = openSqliteStore({ path: ':memory:' });
  await store.write(network());
  await store.addDeadLetter({
    receivedAt: new Date(NOW).toISOString(),
    topic: `airbox/v1/${SECRET}/reading`,
    payload: new TextEncoder().encode('not json'),
    clientId: SECRET,
    deviceId: SECRET,
    code: 'invalid-json',
    reason: 'not JSON',
  });
  const listeners = new Set<(r: StoredReading[]) => void>();
  const live: LiveSource = { subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) };
  const now = () => NOW;
  const hidden = () => new Set([SECRET]);
  const indoor = () => new Set([SECRET, 'home-2']);
  const app = createApi({
    store,
    metrics: new MetricsRegistry(),
    rateLimit: false,
    now,
    live,
    raw: rawSource(),
    indoorDevices: indoor,
    hiddenDevices: hidden,
    exactPositionDevices: () => exact,
    surface: surfaceService(store, {
      now,
      indoorDevices: indoor,
      hiddenDevices: hidden,
      minBoxes: 3,
    }),
  });
  return { app, emit: (r: StoredReading[]) => listeners.forEach((l) => l(r)) };
}

const from = new Date(NOW - DAY_MS).toISOString();
const to = new Date(NOW).toISOString();
const PUBLIC_GETS = [
  '/api/v1/devices',
  '/api/v1/readings/latest',
  `/api/v1/series?from=${from}&to=${to}`,
  `/api/v1/series?from=${from}&to=${to}&agg=hourly`,
  `/api/v1/series?from=${from}&to=${to}&format=csv`,
  '/status',
  '/status.json',
];

describe('a private box on the public routes', () => {
  let app: FastifyInstance | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it.each(PUBLIC_GETS)('%s does not name it', async (url) => {
    const made = await api();
    app = made.app;
    const res = await app.inject(url);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.body).not.toContain(SECRET);
    expect(res.body).not.toContain('121.561');
  });

  it('is answered like an id nobody has when asked for by name, and its raw tail is refused', async () => {
    const made = await api();
    app = made.app;
    const asked = (id: string) => [
      `/api/v1/devices/${id}`,
      `/api/v1/series?from=${from}&to=${to}&device=${id}`,
    ];
    const nobody = asked('nobody-else');
    for (const [i, url] of asked(SECRET).entries()) {
      const [a, b] = [await app.inject(url), await app.inject(nobody[i]!)];
      expect(a.statusCode).toBe(b.statusCode);
      expect(a.body.replace(SECRET, 'nobody-else')).toBe(b.body);
    }
    // The tail is its owner's: to the public it answers as every owner-only route does.
    const tail = await app.inject(`/api/v1/devices/${SECRET}/raw.sse`);
    expect(tail.statusCode).toBe(401);
    expect(tail.body).not.toContain('pm25UgM3');
  });

  it('leaves the surface as if it were not there', async () => {
    const made = await api();
    app = made.app;
    const surface = await app.inject(
      '/api/v1/surface?method=idw&bbox=121.4,24.95,121.65,25.15&size=24',
    );
    expect(surface.statusCode).toBe(200);
    const values = surface.json<{ values: (number | null)[] }>().values;
    expect(Math.max(...values.map((v) => v ?? 0))).toBeLessThanOrEqual(13);
  });

  it('is not in the live stream, its snapshot or its tail', async () => {
    const made = await api();
    app = made.app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const ws = new WsClient(`ws://127.0.0.1:${port}/api/v1/live`);
    const messages: LiveMessage[] = [];
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as LiveMessage));
    const until = async (n: number) => {
      while (messages.length < n) await new Promise((r) => setTimeout(r, 5));
    };
    await until(1);
    made.emit([reading(SECRET, NOW), reading('out-1', NOW)]);
    await until(2);
    ws.close();
    const ids = messages.flatMap((m) => m.readings.map((r) => r.deviceId));
    expect(ids).toContain('out-1');
    expect(ids).not.toContain(SECRET);
  });
});

describe('a public home box', () => {
  it('is told on the ~100 m grid, or exactly when its owner chose so', async () => {
    const rounded = await api();
    const exact = await api(new Set(['home-2']));
    const position = async (a: FastifyInstance) =>
      (await a.inject('/api/v1/devices/home-2')).json<{ latest: { lat: number; lon: number } }>()
        .latest;
    expect(await position(rounded.app)).toMatchObject({ lat: 25.048, lon: 121.518 });
    expect(await position(exact.app)).toMatchObject({ lat: 25.047654, lon: 121.517654 });
  });
});
