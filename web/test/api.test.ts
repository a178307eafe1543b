import type { StoredReading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { createApi, MetricsRegistry } from '../src/index.ts';

function reading(deviceId: string, minute: number, pm25: number): StoredReading {
  const time = new Date(Date.UTC(2026, 10, 27, 8, minute)).toISOString();
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: 25.04,
    lon: 121.53,
    pm1UgM3: null,
    pm25UgM3: pm25,
    pm10UgM3: null,
    temperatureC: 21,
    humidityPct: 60,
    format: 'native-v1',
    app: null,
    firmware: 'x, "quoted"',
    flags: ['pm1-missing', 'pm10-missing'],
    kind: 'box',
    pm25CalibratedUgM3: pm25 / 2,
    calibrationModel: 'identity',
  };
}

async function setup() {
  const store = openSqliteStore({ path: ':memory:' });
  await store.write([
    reading('a', 0, 10),
    reading('a', 1, 12),
    reading('b', 0, 30),
    reading('a', 70, 14),
  ]);
  const metrics = new MetricsRegistry();
  metrics.register('airbox_test_total', 'counter', 'A test counter', () => 42);
  return createApi({ store, metrics });
}

describe('HTTP API', () => {
  it('serves a series as CSV, quoting what needs quoting', async () => {
    const app = await setup();
    const res = await app.inject(
      '/api/v1/series?device=a&from=2026-11-27T08:00:00Z&to=2026-11-27T09:00:00Z&format=csv',
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'deviceId,time,lat,lon,pm1UgM3,pm25UgM3,pm10UgM3,temperatureC,humidityPct,pm25CalibratedUgM3,calibrationModel,flags,format,app,firmware,kind,receivedAt',
    );
    expect(lines).toHaveLength(3); // the 09:10 reading is outside [from, to)
    expect(lines[1]).toBe(
      'a,2026-11-27T08:00:00.000Z,25.04,121.53,,10,,21,60,5,identity,pm1-missing;pm10-missing,native-v1,,"x, ""quoted""",box,2026-11-27T08:00:00.000Z',
    );
  });

  it('serves hourly means as JSON', async () => {
    const app = await setup();
    const res = await app.inject(
      '/api/v1/series?device=a&from=2026-11-27T00:00:00Z&to=2026-11-28T00:00:00Z&agg=1h',
    );
    expect(res.json()).toMatchObject({
      agg: '1h',
      rows: [
        { hour: '2026-11-27T08:00:00.000Z', count: 2, pm25UgM3: 11 },
        { count: 1, pm25UgM3: 14 },
      ],
    });
  });

  it('answers a bad query with 400 naming each parameter', async () => {
    const app = await setup();
    const res = await app.inject('/api/v1/series?device=a/b&from=yesterday');
    expect(res.statusCode).toBe(400);
    const { message } = res.json<{ error: { message: string } }>().error;
    expect(message).toContain('device');
    expect(message).toContain('from');
    expect(message).toContain('to');
  });

  it('serves latest readings and Prometheus metrics', async () => {
    const app = await setup();
    const latest = await app.inject('/api/v1/readings/latest');
    expect(
      latest.json<{ readings: StoredReading[] }>().readings.map((r) => [r.deviceId, r.pm25UgM3]),
    ).toEqual([
      ['a', 14],
      ['b', 30],
    ]);
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toContain('# TYPE airbox_test_total counter\nairbox_test_total 42\n');
  });
});
