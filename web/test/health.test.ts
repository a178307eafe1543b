import { HEALTH_PROBLEM_CODES, type BoxHealth, type HealthSnapshot } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { apiWith, HOUR_MS, MINUTE_MS, reading, T0 } from './helpers.ts';
import type { DeviceSummary } from '../src/index.ts';

const NOW = T0 + 2 * HOUR_MS;
const ZERO: BoxHealth = {
  status: 'faulty',
  confidence: 0,
  problems: [
    {
      code: 'zero',
      since: new Date(T0).toISOString(),
      detail: 'no PM values in the last 2 hours while the box kept reporting',
    },
  ],
  evaluatedAt: new Date(NOW).toISOString(),
};

function snapshot(version: number, byDevice: [string, BoxHealth][]): HealthSnapshot {
  return { version, byDevice: new Map(byDevice) };
}

describe('health on the public routes', () => {
  it('tells each device its health and each newest reading its confidence', async () => {
    let health = snapshot(1, [['box-dead', ZERO]]);
    const { app } = await apiWith(
      [
        reading('box-dead', NOW - 5 * MINUTE_MS, { pm25UgM3: null }),
        reading('box-foggy', NOW - 5 * MINUTE_MS, { humidityPct: 98 }),
      ],
      { now: () => NOW, boxHealth: () => health },
    );
    const { devices } = (await app.inject('/api/v1/devices')).json<{ devices: DeviceSummary[] }>();
    expect(devices.map((d) => [d.deviceId, d.health.status])).toEqual([
      ['box-dead', 'faulty'],
      ['box-foggy', 'unknown'],
    ]);
    expect(devices[0]?.health.problems[0]?.code).toBe('zero');

    const latest = await app.inject('/api/v1/readings/latest');
    const readings = latest.json<{ readings: { deviceId: string; confidence: number }[] }>();
    // A faulty box's reading is not to be trusted; an unjudged one in fog is half-trusted, less.
    expect(readings.readings.map((r) => [r.deviceId, r.confidence])).toEqual([
      ['box-dead', 0],
      ['box-foggy', 0.3],
    ]);

    // A new judgement changes the answer without a new reading: the ETag says so.
    const etag = latest.headers.etag;
    health = snapshot(2, []);
    const again = await app.inject({
      url: '/api/v1/readings/latest',
      headers: { 'if-none-match': String(etag) },
    });
    expect(again.statusCode).toBe(200);
  });

  it('lists every problem code with its meaning in the OpenAPI document', async () => {
    const { app } = await apiWith([]);
    const doc = JSON.stringify((await app.inject('/api/v1/openapi.json')).json());
    for (const code of HEALTH_PROBLEM_CODES) expect(doc).toContain(`\`${code}\``);
    expect(doc).toContain('a dead fan');
  });
});
