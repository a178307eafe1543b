import type { StoredReading } from '@airbox/contracts';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '@airbox/registry';
import { openEventStream, ServeProcess, tempDir, waitFor } from '@airbox/testkit';

/**
 * An indoor box stands in a home or a classroom: on every public route of a real `airbox
 * serve` its position is on the 0.001° grid (~100 m), never what the box sent — devices,
 * newest readings, series (JSON, CSV), the live stream (SSE and WebSocket) — and a bbox
 * cannot narrow it down either (its raw tail is its owner's, not public at all). An outdoor
 * box keeps its exact position.
 */
const INDOOR = '74DA38000007';
const OUTDOOR = '74DA38000001';
const EXACT = { lat: 25.041234, lon: 121.533456 };
const GRID = { lat: 25.041, lon: 121.533 };
const STREET = { lat: 25.047891, lon: 121.517654 };
// Finer than the grid: what must never be served of the indoor box.
const FINE = ['25.0412', '121.5334', '041234', '533456'];

/** The part of the `ws` client the test uses (cli lists `ws`, which has no types of its own). */
interface WsClient {
  on(event: 'message', listener: (data: Buffer) => void): void;
  once(event: 'open', listener: () => void): void;
  close(): void;
}
const { WebSocket } = createRequire(import.meta.url)('ws') as {
  WebSocket: new (url: string) => WsClient;
};

const dir = tempDir('indoor-privacy');
const serve = new ServeProcess(join(dir.path, 'data'));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await serve.stop();
  dir.remove();
});

function lass(deviceId: string, timeMs: number, at: { lat: number; lon: number }): string {
  const [date, time] = new Date(timeMs).toISOString().slice(0, 19).split('T');
  return `|ver_format=3|app=PM25|device_id=${deviceId}|date=${date}|time=${time}|s_d0=12|s_d1=20|gps_lat=${at.lat}|gps_lon=${at.lon}|gps_fix=1|`;
}

async function publish(
  login: { username: string; password: string },
  messages: [string, string][],
) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ports?.mqtt}`, {
    clientId: login.username,
    ...login,
    protocolVersion: 4,
  });
  for (const [topic, payload] of messages) await client.publishAsync(topic, payload, { qos: 1 });
  await client.endAsync();
}

const get = async (path: string) => (await fetch(serve.httpUrl(path))).text();

describe('an indoor box on the public routes of airbox serve', () => {
  const served: string[] = [];
  let live: Awaited<ReturnType<typeof openEventStream<unknown>>>;
  const wsMessages: string[] = [];

  beforeAll(async () => {
    const registry = await openSqliteRegistry(join(dir.path, 'data', 'devices.db'));
    const indoor = await registry.devices.add({ deviceId: INDOOR, placement: 'indoor' });
    const outdoor = await registry.devices.add({ deviceId: OUTDOOR });
    await registry.close();
    await serve.start();
    live = await openEventStream(serve.httpUrl('/api/v1/live.sse'));
    const ws = new WebSocket(serve.httpUrl('/api/v1/live').replace('http', 'ws'));
    ws.on('message', (data) => wsMessages.push(data.toString()));
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    cleanups.push(
      () => void live.close(),
      () => ws.close(),
    );

    const nowMs = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    await publish(indoor, [
      ['LASS/Test/PM25', lass(INDOOR, nowMs, EXACT)],
      [
        `airbox/v1/${INDOOR}/reading`,
        JSON.stringify({ time: new Date(nowMs + 1000).toISOString(), ...EXACT, pm25UgM3: 14 }),
      ],
    ]);
    await publish(outdoor, [['LASS/Test/PM25', lass(OUTDOOR, nowMs, STREET)]]);
    await waitFor('both boxes stored', async () => {
      const { readings } = JSON.parse(await get('/api/v1/readings/latest')) as {
        readings: StoredReading[];
      };
      return readings.length === 2 && wsMessages.length >= 3;
    });
  });

  it('serves its position on the grid on every route, the outdoor box exactly', async () => {
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    const devices = await get('/api/v1/devices');
    const one = await get(`/api/v1/devices/${INDOOR}`);
    const latest = await get('/api/v1/readings/latest');
    const series = await get(`/api/v1/series?device=${INDOOR},${OUTDOOR}&${range}`);
    const csv = await get(`/api/v1/series?device=${INDOOR}&format=csv&${range}`);
    served.push(devices, one, latest, series, csv);

    const positions = (JSON.parse(series) as { readings: StoredReading[] }).readings.map((r) => [
      r.deviceId,
      r.lat,
      r.lon,
    ]);
    expect(positions).toEqual([
      [OUTDOOR, STREET.lat, STREET.lon],
      [INDOOR, GRID.lat, GRID.lon],
      [INDOOR, GRID.lat, GRID.lon],
    ]);
    const { devices: list } = JSON.parse(devices) as { devices: StoredReading[] };
    expect(list.map((d) => [d.deviceId, d.lat, d.lon])).toEqual([
      [OUTDOOR, STREET.lat, STREET.lon],
      [INDOOR, GRID.lat, GRID.lon],
    ]);
    expect(csv).toContain(`${INDOOR},`);
    expect(csv).toContain(`,${GRID.lat},${GRID.lon},`);
    for (const text of served) for (const fine of FINE) expect(text).not.toContain(fine);
  });

  it('cannot be found closer through a bbox that holds what it sent but not its grid point', async () => {
    const bbox = 'bbox=121.5334,25.0412,121.5335,25.0413';
    const range = `from=${new Date(Date.now() - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    expect(JSON.parse(await get(`/api/v1/devices?${bbox}`))).toEqual({ devices: [] });
    expect(JSON.parse(await get(`/api/v1/readings/latest?${bbox}`))).toMatchObject({
      readings: [],
    });
    expect(JSON.parse(await get(`/api/v1/series?${bbox}&${range}`))).toMatchObject({
      devices: [],
    });
    const onGrid = `bbox=${GRID.lon - 0.0001},${GRID.lat - 0.0001},${GRID.lon + 0.0001},${GRID.lat + 0.0001}`;
    expect(await get(`/api/v1/devices?${onGrid}`)).toContain(INDOOR);
  });

  it('streams it on the grid: live SSE and WebSocket; its raw tail is not public', async () => {
    const raw = await fetch(serve.httpUrl(`/api/v1/devices/${INDOOR}/raw.sse`));
    expect(raw.status).toBe(401);
    const streamed = [JSON.stringify(live.events), ...wsMessages, await raw.text()];
    type Message = { readings?: StoredReading[] };
    const messages: Message[] = [
      ...live.events.map((e) => e.data as Message),
      ...wsMessages.map((m) => JSON.parse(m) as Message),
    ];
    const readings = messages
      .flatMap((m) => m.readings ?? [])
      .map((r) => [r.deviceId, r.lat, r.lon]);
    expect(readings).toContainEqual([INDOOR, GRID.lat, GRID.lon]);
    expect(readings).toContainEqual([OUTDOOR, STREET.lat, STREET.lon]);
    expect(readings.filter(([id]) => id === INDOOR).every(([, lat]) => lat === GRID.lat)).toBe(
      true,
    );
    for (const text of streamed) for (const fine of FINE) expect(text).not.toContain(fine);
  });
});
