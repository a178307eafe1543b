import type { StoredReading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { apiWith, DAY_MS, HOUR_MS, MINUTE_MS, reading, T0, type ErrorJson } from './helpers.ts';
import type { DeviceSummary, StationView } from '../src/index.ts';

const NOW = T0 + DAY_MS;

function fleet(): StoredReading[] {
  return [
    reading('box-a', NOW - 5 * MINUTE_MS, { firmware: '2.0.1', flags: ['pm1-missing'] }),
    reading('box-b', T0 + HOUR_MS, { lat: 22.63, lon: 120.3 }),
    reading('EPA-Hengchun', NOW - HOUR_MS, {
      kind: 'reference',
      format: 'lass-opendata',
      app: 'EPA_COPY',
      lat: 22.0,
      lon: 120.74,
      pm25UgM3: 31,
    }),
  ];
}

describe('GET /api/v1/devices', () => {
  it('lists every device from its newest reading, with online meaning "heard from in 10 min"', async () => {
    const { app } = await apiWith(fleet());
    const res = await app.inject('/api/v1/devices');
    expect(res.statusCode).toBe(200);
    const { devices } = res.json<{ devices: DeviceSummary[] }>();
    expect(devices.map((d) => [d.deviceId, d.kind, d.online])).toEqual([
      ['EPA-Hengchun', 'reference', false],
      ['box-a', 'box', true],
      ['box-b', 'box', false],
    ]);
    expect(devices[1]).toEqual({
      deviceId: 'box-a',
      kind: 'box',
      lat: 25.04,
      lon: 121.53,
      lastReadingTime: '2026-11-27T23:55:00.000Z',
      lastSeen: '2026-11-27T23:55:02.000Z',
      online: true,
      format: 'native-v1',
      app: 'AirBox',
      firmware: '2.0.1',
      flags: ['pm1-missing'],
      indoor: false,
      // Never judged: the API alone runs no health checks (serve does).
      health: { status: 'unknown', confidence: 0.5, problems: [], evaluatedAt: null },
    });
  });

  it('filters by kind and by bbox', async () => {
    const { app } = await apiWith(fleet());
    const ids = async (url: string) =>
      (await app.inject(url)).json<{ devices: DeviceSummary[] }>().devices.map((d) => d.deviceId);
    expect(await ids('/api/v1/devices?kind=reference')).toEqual(['EPA-Hengchun']);
    // Taipei only.
    expect(await ids('/api/v1/devices?bbox=121.3,24.9,121.7,25.2')).toEqual(['box-a']);
    expect(await ids('/api/v1/devices?bbox=120,21.8,121,23&kind=box')).toEqual(['box-b']);
  });

  it('takes the online window from the options', async () => {
    const { app } = await apiWith(fleet(), { onlineWindowMs: 2 * HOUR_MS });
    const { devices } = (await app.inject('/api/v1/devices')).json<{ devices: DeviceSummary[] }>();
    expect(devices.filter((d) => d.online).map((d) => d.deviceId)).toEqual([
      'EPA-Hengchun',
      'box-a',
    ]);
  });
});

describe('GET /api/v1/devices/:id', () => {
  it('answers one device with its newest reading', async () => {
    const { app } = await apiWith(fleet());
    const res = await app.inject('/api/v1/devices/box-b');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      device: { deviceId: 'box-b', online: false, lat: 22.63 },
      latest: { deviceId: 'box-b', time: '2026-11-27T01:00:00.000Z', pm25UgM3: 12 },
    });
  });

  it('answers an unknown id with 404 naming it', async () => {
    const { app } = await apiWith(fleet());
    const res = await app.inject('/api/v1/devices/box-zz');
    expect(res.statusCode).toBe(404);
    expect(res.json<ErrorJson>().error).toEqual({
      code: 'unknown-device',
      message: expect.stringContaining('"box-zz"'),
    });
  });

  it('answers a malformed id with 400 and never echoes markup', async () => {
    const { app } = await apiWith(fleet());
    const res = await app.inject(
      `/api/v1/devices/${encodeURIComponent('<script>alert(1)</script>')}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>().error.code).toBe('bad-path');
    expect(res.json<ErrorJson>().error.message).toMatch(/^id: "\\u003cscript\\u003e/);
    expect(res.body).not.toContain('<script>');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('GET /api/v1/stations', () => {
  it('lists the bundled stations under their LASS ids with their newest reading', async () => {
    const { app } = await apiWith(fleet());
    const { stations } = (await app.inject('/api/v1/stations')).json<{ stations: StationView[] }>();
    expect(stations).toHaveLength(77);
    for (const s of stations) expect(s.deviceId).toBe(`EPA-${s.nameEn}`);
    const hengchun = stations.find((s) => s.nameEn === 'Hengchun');
    expect(hengchun).toMatchObject({
      deviceId: 'EPA-Hengchun',
      nameZh: '恆春',
      latest: { pm25UgM3: 31 },
    });
    expect(stations.find((s) => s.nameEn === 'FugueiCape')?.latest).toBeNull();
  });

  it('takes the station list from the options', async () => {
    const station = {
      siteId: '999',
      nameZh: '測試',
      nameEn: 'Test Site',
      county: 'X',
      siteType: 'Y',
      lat: 25,
      lon: 121,
    };
    const { app } = await apiWith([], { stations: [station] });
    const { stations } = (await app.inject('/api/v1/stations')).json<{ stations: StationView[] }>();
    expect(stations).toEqual([{ ...station, deviceId: 'EPA-TestSite', latest: null }]);
  });
});
