import type { LiveSource, StoredReading } from '@airbox/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openSqliteStore } from '@airbox/store';
import {
  createApi,
  MetricsRegistry,
  surfaceService,
  type DeviceSummary,
  type LiveMessage,
  type SurfaceJson,
} from '../src/index.ts';
import { apiWith, DAY_MS, MINUTE_MS, reading, T0, WsClient } from './helpers.ts';

const NOW = T0 + DAY_MS;
type Placed = StoredReading & { indoor: boolean };

/** Two boxes and a station; `class-7` is the one a school registered as indoors. */
function network(): StoredReading[] {
  return [
    reading('class-7', NOW - 5 * MINUTE_MS, { pm25UgM3: 60, pm25CalibratedUgM3: 55 }),
    reading('roof-1', NOW - 5 * MINUTE_MS),
    reading('EPA-Zhongshan', NOW - 30 * MINUTE_MS, { kind: 'reference', format: 'lass-opendata' }),
  ];
}

describe('indoor boxes in the API', () => {
  it('marks the newest reading and the device of an indoor box, never a station', async () => {
    // A station's id in the set (a mistake in the registry) still does not make it indoor.
    const indoor = new Set(['class-7', 'EPA-Zhongshan']);
    const { app } = await apiWith(network(), { indoorDevices: () => indoor });

    const latest = (await app.inject('/api/v1/readings/latest')).json<{ readings: Placed[] }>();
    expect(latest.readings.map((r) => [r.deviceId, r.indoor])).toEqual([
      ['EPA-Zhongshan', false],
      ['class-7', true],
      ['roof-1', false],
    ]);
    const { devices } = (await app.inject('/api/v1/devices')).json<{
      devices: DeviceSummary[];
    }>();
    expect(devices.map((d) => [d.deviceId, d.indoor])).toEqual([
      ['EPA-Zhongshan', false],
      ['class-7', true],
      ['roof-1', false],
    ]);
    const one = (await app.inject('/api/v1/devices/class-7')).json<{
      device: DeviceSummary;
      latest: Placed;
    }>();
    expect([one.device.indoor, one.latest.indoor]).toEqual([true, true]);
  });

  it('says indoor: false for every box until the registry is wired in', async () => {
    const { app } = await apiWith(network());
    const latest = (await app.inject('/api/v1/readings/latest')).json<{ readings: Placed[] }>();
    expect(latest.readings.every((r) => r.indoor === false)).toBe(true);
  });

  it('gives the latest answer a new ETag when a box moves indoors, with no new reading', async () => {
    const indoor = new Set<string>();
    const { app } = await apiWith(network(), { indoorDevices: () => indoor });
    const first = await app.inject('/api/v1/readings/latest');
    const etag = String(first.headers.etag);
    indoor.add('class-7'); // `airbox device set class-7 --indoor`
    const moved = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': etag },
    });
    expect(moved.statusCode).toBe(200);
    expect(moved.json<{ readings: Placed[] }>().readings[1]).toMatchObject({ indoor: true });
    indoor.delete('class-7');
    const back = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': etag },
    });
    expect(back.statusCode).toBe(304);
  });

  it('documents indoor in the OpenAPI document', async () => {
    const { app } = await apiWith([]);
    const doc = (await app.inject('/api/v1/openapi.json')).json<{
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    }>();
    expect(doc.components.schemas['Device']?.properties['indoor']).toMatchObject({
      type: 'boolean',
    });
    expect(doc.components.schemas['PlacedReading']?.properties['indoor']).toMatchObject({
      type: 'boolean',
    });
  });
});

describe('indoor boxes on the live stream', () => {
  let app: FastifyInstance | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('marks them in the snapshot and the tail, as the newest readings do', async () => {
    const listeners = new Set<(readings: StoredReading[]) => void>();
    const live: LiveSource = {
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    };
    const made = await apiWith(network(), { live, indoorDevices: () => new Set(['class-7']) });
    app = made.app;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;

    const ws = new WsClient(`ws://127.0.0.1:${port}/api/v1/live`);
    const messages: LiveMessage[] = [];
    const received = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (messages.length >= n ? resolve() : setTimeout(check, 5));
        check();
      });
    ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as LiveMessage));
    await received(1);
    for (const l of listeners) l([reading('class-7', NOW), reading('roof-1', NOW)]);
    await received(2);
    ws.close();

    const marks = messages.map((m) => m.readings.map((r) => [r.deviceId, r.indoor]));
    expect(marks).toEqual([
      [
        ['EPA-Zhongshan', false],
        ['class-7', true],
        ['roof-1', false],
      ],
      [
        ['class-7', true],
        ['roof-1', false],
      ],
    ]);
  });
});

describe('the surface leaves indoor boxes out', () => {
  // Six outdoor boxes around Taipei at 8–13 µg/m³, and a kitchen 500 m from one of them.
  const outdoor = [
    [25.0, 121.5, 8],
    [25.0, 121.6, 10],
    [25.05, 121.55, 13],
    [25.1, 121.5, 9],
    [25.1, 121.6, 12],
    [25.05, 121.45, 11],
  ] as const;
  const boxes = outdoor.map(([lat, lon, v], i) =>
    reading(`out-${i}`, NOW - 10 * MINUTE_MS, { lat, lon, pm25CalibratedUgM3: v }),
  );
  const kitchen = reading('kitchen-1', NOW - 10 * MINUTE_MS, {
    lat: 25.05,
    lon: 121.555,
    pm25UgM3: 400,
    pm25CalibratedUgM3: 380,
  });
  const query = '/api/v1/surface?method=idw&bbox=121.4,24.95,121.65,25.15&size=24';

  async function surfaceApi(readings: StoredReading[], indoor: ReadonlySet<string>) {
    const store = openSqliteStore({ path: ':memory:' });
    await store.write(readings);
    const now = () => NOW;
    const indoorDevices = () => indoor;
    const app = createApi({
      store,
      metrics: new MetricsRegistry(),
      rateLimit: false,
      now,
      indoorDevices,
      surface: surfaceService(store, { now, indoorDevices }),
    });
    const get = async () => {
      const res = await app.inject(query);
      expect(res.statusCode).toBe(200);
      return res.json<SurfaceJson>();
    };
    return { get, close: () => app.close() };
  }
  const max = (s: SurfaceJson) => Math.max(...s.values.map((v) => v ?? -Infinity));

  it('draws the outdoor field only: the same surface as with no kitchen box at all', async () => {
    const unmarked = await surfaceApi([...boxes, kitchen], new Set());
    const marked = await surfaceApi([...boxes, kitchen], new Set(['kitchen-1']));
    const without = await surfaceApi(boxes, new Set());
    const [a, b, c] = [await unmarked.get(), await marked.get(), await without.get()];
    // Unmarked, the kitchen's 380 µg/m³ colours the streets around it.
    expect(max(a)).toBeGreaterThan(100);
    expect(max(b)).toBeLessThanOrEqual(13);
    expect(b.values).toEqual(c.values);
    expect(b.values).not.toEqual(a.values);
    await Promise.all([unmarked.close(), marked.close(), without.close()]);
  });

  it('follows a box moved indoors while serving (no stale cached surface)', async () => {
    const indoor = new Set<string>();
    const api = await surfaceApi([...boxes, kitchen], indoor);
    expect(max(await api.get())).toBeGreaterThan(100);
    indoor.add('kitchen-1');
    expect(max(await api.get())).toBeLessThanOrEqual(13);
    // As many boxes, same newest arrival: only the placement says the points changed.
    indoor.delete('kitchen-1');
    indoor.add('out-2');
    expect(max(await api.get())).toBeGreaterThan(100);
    await api.close();
  });
});
