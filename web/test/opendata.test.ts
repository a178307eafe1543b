import type { StoredReading } from '@airbox/contracts';
import { decodeOpenData } from '@airbox/protocol';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_HEALTH } from '@airbox/contracts';
import { DATA_LICENSES } from '../src/index.ts';
import { apiWith, DAY_MS, HOUR_MS, MINUTE_MS, reading, T0 } from './helpers.ts';

const NOW = T0 + DAY_MS;
const REAL = JSON.parse(
  readFileSync(
    new URL('./fixtures/lass-last-all-airbox-2020-05-23-first3.json', import.meta.url),
    'utf8',
  ),
) as { feeds: Record<string, unknown>[] } & Record<string, unknown>;

interface Feed {
  source: string;
  version: string;
  num_of_records: number;
  feeds: Record<string, string | number>[];
}

function network(): StoredReading[] {
  return [
    reading('roof-1', NOW - 5 * MINUTE_MS, {
      pm25UgM3: 41,
      pm25CalibratedUgM3: 35.123,
      calibrationModel: 'box:roof-1@2',
    }),
    reading('roof-2', NOW - 20 * MINUTE_MS, { app: null, humidityPct: null, lat: null, lon: null }),
    reading('home-3', NOW - 3 * MINUTE_MS, { lat: 25.041234, lon: 121.531234 }),
    reading('secret-4', NOW - 2 * MINUTE_MS),
    reading('gone-5', NOW - 2 * HOUR_MS),
    reading('maps-6', NOW - 4 * MINUTE_MS, { app: 'MAPS' }),
    reading('EPA-Zhongshan', NOW - 30 * MINUTE_MS, { kind: 'reference', app: 'EPA_COPY' }),
  ];
}

async function feedApi() {
  return apiWith(network(), {
    hiddenDevices: () => new Set(['secret-4']),
    indoorDevices: () => new Set(['home-3']),
    deviceName: (id) => (id === 'roof-1' ? '台北市立建國中學' : null),
    boxHealth: () => ({
      version: 3,
      byDevice: new Map([
        ['roof-1', { ...UNKNOWN_HEALTH, status: 'ok' as const, confidence: 1 }],
        ['roof-2', { ...UNKNOWN_HEALTH, status: 'faulty' as const, confidence: 0.1 }],
      ]),
    }),
  });
}

describe('LASS-compatible open data feeds', () => {
  it('lists each public box heard from in the last hour, with LASS’s keys and types', async () => {
    const { app } = await feedApi();
    const res = await app.inject('/opendata/last-all-airbox.json');
    expect(res.statusCode).toBe(200);
    const feed = res.json<Feed>();
    expect(feed.feeds.map((f) => f.device_id)).toEqual(['home-3', 'roof-1', 'roof-2']);
    expect(feed.num_of_records).toBe(3);
    for (const key of ['source', 'version', 'num_of_records', 'descriptions', 'feeds']) {
      expect(typeof (feed as unknown as Record<string, unknown>)[key], key).toBe(typeof REAL[key]);
    }
    const real = REAL.feeds[0]!;
    for (const f of feed.feeds) {
      for (const [key, value] of Object.entries(f)) {
        expect(Object.keys(real), `LASS has no key ${key}`).toContain(key);
        expect(typeof value, key).toBe(typeof real[key]);
      }
    }
    const roof = feed.feeds.find((f) => f.device_id === 'roof-1')!;
    expect(roof).toMatchObject({
      s_d0: 41,
      s_d1: 20,
      s_d2: 8,
      s_t0: 21,
      s_h0: 60,
      gps_lat: 25.04,
      gps_lon: 121.53,
      app: 'AirBox',
      fw_ver: '1.2.0',
      SiteName: '台北市立建國中學',
      c_d0: 35.12,
      c_d0_method: 'box:roof-1@2',
    });
    // The real file's timestamp, date and time: UTC, seconds, no milliseconds.
    expect(roof.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(`${roof.date}T${roof.time}Z`).toBe(roof.timestamp);
    // Our health as LASS's anomaly-detection status: 0 normal; left out while not judged.
    expect(feed.feeds.map((f) => f.adf_status)).toEqual([undefined, '0', '2']);
    // What a box did not measure is left out, as LASS leaves out what a box has not.
    expect(feed.feeds.find((f) => f.device_id === 'roof-2')).not.toHaveProperty('s_h0');
    // An indoor box's position on the 0.001° grid, as on the map.
    const home = feed.feeds.find((f) => f.device_id === 'home-3')!;
    expect([home.gps_lat, home.gps_lon]).toEqual([25.041, 121.531]);
  });

  it('reads back through the LASS importer with the API’s values; private boxes absent', async () => {
    const { app } = await feedApi();
    const feed = (await app.inject('/opendata/last-all-airbox.json')).json<Feed>();
    const decoded = decodeOpenData(feed, { nowMs: NOW }).flatMap((r) => (r.ok ? r.readings : []));
    expect(decoded).toHaveLength(feed.feeds.length);
    const latest = (await app.inject('/api/v1/readings/latest')).json<{
      readings: StoredReading[];
    }>();
    for (const got of decoded) {
      const api = latest.readings.find((r) => r.deviceId === got.deviceId)!;
      expect(got.time).toBe(api.time);
      expect([got.pm25UgM3, got.pm10UgM3, got.pm1UgM3, got.lat, got.lon]).toEqual([
        api.pm25UgM3,
        api.pm10UgM3,
        api.pm1UgM3,
        api.lat,
        api.lon,
      ]);
    }
    const all =
      JSON.stringify(feed) +
      JSON.stringify((await app.inject('/opendata/last-all-maps.json')).json());
    expect(all).not.toContain('secret-4');
  });

  it('has one feed per LASS app, and says so when an app has none', async () => {
    const { app } = await feedApi();
    const maps = (await app.inject('/opendata/last-all-MAPS.json')).json<Feed>();
    expect(maps.feeds.map((f) => [f.device_id, f.app])).toEqual([['maps-6', 'MAPS']]);
    const none = await app.inject('/opendata/last-all-nosuchapp.json');
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ error: { code: 'not-found' } });
    expect(none.json<{ error: { message: string } }>().error.message).toContain('nosuchapp');
    const bad = await app.inject('/opendata/last-all-a%20b.json');
    expect(bad.statusCode).toBe(400);
  });

  it('answers 304 to a client that has the current feed', async () => {
    const { app } = await feedApi();
    const first = await app.inject('/opendata/last-all-airbox.json');
    const again = await app.inject({
      url: '/opendata/last-all-airbox.json',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });
});

describe('licence and catalogues', () => {
  it('names the licence on every data answer and in the feed', async () => {
    const { app } = await feedApi();
    for (const url of [
      '/opendata/last-all-airbox.json',
      '/api/v1/readings/latest',
      '/api/v1/devices',
    ]) {
      const res = await app.inject(url);
      expect(res.headers.link, url).toBe(
        '<https://creativecommons.org/licenses/by/4.0/>; rel="license"',
      );
    }
    const feed = (await app.inject('/opendata/last-all-airbox.json')).json<
      Record<string, unknown>
    >();
    expect(feed.license).toBe('https://creativecommons.org/licenses/by/4.0/');
    expect(feed.attribution).toBe('AirBox network contributors, http://localhost:80/ (CC-BY-4.0)');
    expect((await app.inject('/opendata/last-all-nosuchapp.json')).headers.link).toBeUndefined();
  });

  it('describes the data set in DCAT-AP and schema.org with the operator’s licence', async () => {
    const { app } = await apiWith(network(), {
      openData: { license: DATA_LICENSES['ODbL-1.0'], publisher: '新竹縣政府環境保護局' },
    });
    const dcat = await app.inject({
      url: '/opendata/dcat.jsonld',
      headers: { host: 'air.example.tw' },
    });
    expect(dcat.headers['content-type']).toMatch(/^application\/ld\+json/);
    const catalogue = dcat.json<Record<string, unknown>>();
    expect(catalogue['@type']).toBe('dcat:Catalog');
    expect(catalogue['dct:publisher']).toEqual({
      '@type': 'foaf:Agent',
      'foaf:name': '新竹縣政府環境保護局',
    });
    const [dataset] = catalogue['dcat:dataset'] as Record<string, unknown>[];
    // DCAT-AP's mandatory properties: a dataset's title and description, a distribution's access URL.
    expect(dataset!['dct:title']).toContainEqual({
      '@value': expect.stringContaining('AirBox'),
      '@language': 'zh-TW',
    });
    expect(dataset!['dct:description']).toHaveLength(2);
    expect(dataset!['dct:license']).toEqual({
      '@id': 'https://opendatacommons.org/licenses/odbl/1-0/',
    });
    const urls = (dataset!['dcat:distribution'] as Record<string, { '@id': string }>[]).map(
      (d) => d['dcat:accessURL']!['@id'],
    );
    expect(urls).toContain('http://air.example.tw/opendata/last-all-airbox.json');
    // Each distribution is reachable.
    for (const url of urls) {
      const res = await app.inject(url.replace('http://air.example.tw', ''));
      expect(res.statusCode, url).toBe(200);
    }
    const schema = (await app.inject('/opendata/dataset.jsonld')).json<Record<string, unknown>>();
    expect(schema).toMatchObject({
      '@context': 'https://schema.org/',
      '@type': 'Dataset',
      license: 'https://opendatacommons.org/licenses/odbl/1-0/',
      isAccessibleForFree: true,
    });
    expect(String(schema.description).length).toBeGreaterThan(50);
  });
});

it('the OpenAPI document links the catalogue and names the data licence', async () => {
  const { app } = await feedApi();
  const doc = (await app.inject('/api/v1/openapi.json')).json<{
    externalDocs: { url: string; description: string };
    paths: Record<string, unknown>;
  }>();
  expect(doc.externalDocs.url).toBe('/opendata/dcat.jsonld');
  expect(doc.externalDocs.description).toContain('https://creativecommons.org/licenses/by/4.0/');
  expect(Object.keys(doc.paths)).toContain('/opendata/last-all-{app}.json');
});
