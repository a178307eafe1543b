import { existsSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '@airbox/registry';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';

/**
 * Box health in a real `airbox serve`: six boxes a few hundred metres apart send six hours
 * of readings (as a backfill batch, by reading time); one has a dead fan (no PM while its
 * T/RH go on), one is stuck at one value while the air around it changes. The health task
 * judges them in a task thread and the public routes tell it.
 */
const dir = tempDir('health-serve');
const serve = new ServeProcess(join(dir.path, 'data'), ['--health-every', '2', '--no-refit']);
afterAll(async () => {
  await serve.stop();
  dir.remove();
});

const MINUTE_MS = 60_000;
const IDS = ['hb-1', 'hb-2', 'hb-3', 'hb-4', 'hb-dead', 'hb-stuck'];

/** Ten-minute readings of the last six hours: the air rises from 10 to 60 µg/m³. */
function batch(deviceId: string, i: number, endMs: number): unknown[] {
  const out: unknown[] = [];
  for (let k = 36; k >= 1; k--) {
    const timeMs = endMs - k * 10 * MINUTE_MS;
    const air = 10 + (50 * (36 - k)) / 36;
    const pm25UgM3 =
      deviceId === 'hb-dead'
        ? null
        : deviceId === 'hb-stuck'
          ? 23
          : Math.round(air * (1 + 0.03 * i) + ((k * 7 + i) % 3));
    out.push({
      time: new Date(timeMs).toISOString(),
      lat: 25.03 + 0.002 * i,
      lon: 121.5 + 0.002 * i,
      pm25UgM3,
      temperatureC: 24,
      humidityPct: 70,
    });
  }
  return out;
}

interface Device {
  deviceId: string;
  health: { status: string; confidence: number; problems: { code: string }[] };
}

describe('box health in airbox serve', () => {
  beforeAll(async () => {
    const registry = await openSqliteRegistry(join(dir.path, 'data', 'devices.db'));
    const logins = await Promise.all(IDS.map((deviceId) => registry.devices.add({ deviceId })));
    await registry.close();
    await serve.start();
    const endMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    for (const [i, login] of logins.entries()) {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${serve.ports?.mqtt}`, {
        clientId: login.username,
        ...login,
        protocolVersion: 4,
      });
      const topic = `airbox/v1/${login.username}/batch`;
      await client.publishAsync(topic, JSON.stringify(batch(login.username, i, endMs)), { qos: 1 });
      await client.endAsync();
    }
  });

  it('finds the dead fan and the stuck sensor, leaves the others ok, and tells it on the routes', async () => {
    const devices = async () =>
      ((await (await fetch(serve.httpUrl('/api/v1/devices'))).json()) as { devices: Device[] })
        .devices;
    await waitFor('a judgement of all six boxes', async () =>
      (await devices()).every((d) => d.health.status !== 'unknown'),
    );
    const byId = new Map((await devices()).map((d) => [d.deviceId, d.health]));
    expect(byId.get('hb-dead')?.problems.map((p) => p.code)).toEqual(['zero']);
    expect(byId.get('hb-dead')?.status).toBe('faulty');
    expect(byId.get('hb-stuck')?.problems.map((p) => p.code)).toContain('stuck');
    for (const id of ['hb-1', 'hb-2', 'hb-3', 'hb-4']) expect(byId.get(id)?.status).toBe('ok');

    const latest = (await (await fetch(serve.httpUrl('/api/v1/readings/latest'))).json()) as {
      readings: { deviceId: string; confidence: number }[];
    };
    const confidence = new Map(latest.readings.map((r) => [r.deviceId, r.confidence]));
    expect(confidence.get('hb-stuck')).toBe(0);
    expect(confidence.get('hb-1')).toBe(1);
    // The stuck box's value is wrong: the surface is drawn without it, from the 4 others
    // (too few for one: it would have been 5 with it).
    const surface = await fetch(serve.httpUrl('/api/v1/surface'));
    expect(surface.status).toBe(503);
    expect(await surface.text()).toContain('4 outdoor boxes reported a trusted PM2.5');
    // Kept across a restart until the next run.
    expect(existsSync(join(dir.path, 'data', 'health.json'))).toBe(true);
  });
});
