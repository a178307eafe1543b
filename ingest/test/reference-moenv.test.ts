import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadReferenceStations } from '@airbox/geo';
import { decodeOpenData, isValidDeviceId } from '@airbox/protocol';
import { sharedData } from '@airbox/testkit';
import {
  checkSiteList,
  parseMoenvHourly,
  parseTaipeiHour,
  REFERENCE_FORMATS,
  stationDeviceId,
  stationsFromSiteList,
} from '../src/index.ts';

const stations = loadReferenceStations();
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`fixtures/reference/${name}`, import.meta.url), 'utf8'));
const lassEpa = sharedData('reference/lass-last-all-epa-2020-05-23.json', 'no explicit licence');

/** An API v2 aqx_p_432 response, in the documented envelope (data.gov.tw dataset 40448). */
function v2(records: Record<string, string>[]) {
  return {
    fields: [{ id: 'sitename', type: 'text', info: { label: '測站名稱' } }],
    resource_id: '00000000-0000-0000-0000-000000000000',
    include_total: true,
    total: String(records.length),
    limit: '1000',
    offset: '0',
    records,
  };
}
const v2Record = (fields: Record<string, string>) => ({
  sitename: '基隆',
  county: '基隆市',
  aqi: '40',
  'pm2.5': '12',
  pm10: '25',
  publishtime: '2024/05/01 14:00:00',
  siteid: '1',
  longitude: '121.760056',
  latitude: '25.129167',
  ...fields,
});

describe('MOENV hourly: the 2017 AQX download', () => {
  const parsed = parseMoenvHourly(fixture('aqx-hourly-2017-sample.json'), stations);

  it('reads all 76 records as reference readings of registry stations', () => {
    expect(parsed.shape).toBe('aqx');
    expect(parsed.problems).toEqual([]);
    expect(parsed.readings).toHaveLength(76);
    expect(parsed.readings.every((r) => r.kind === 'reference')).toBe(true);
    expect(new Set(parsed.readings.map((r) => r.deviceId)).size).toBe(76);
  });

  it('puts each reading at its publish hour in UTC and its registry position', () => {
    // 龍潭 "PublishTime": "2017-07-15 14:00" (Taipei) = 06:00 UTC; PM2.5 "20", PM10 "41"
    expect(parsed.readings.find((r) => r.deviceId === 'EPA-Longtan')).toMatchObject({
      time: '2017-07-15T06:00:00.000Z',
      pm25UgM3: 20,
      pm10UgM3: 41,
      lat: 24.863869,
      lon: 121.21635,
      format: REFERENCE_FORMATS.moenv,
      app: 'MOENV',
      flags: [],
    });
    // 臺西 is written with 臺; 恆春 at 2017-07-16 07:00 Taipei
    expect(parsed.readings.find((r) => r.deviceId === 'EPA-Taixi')?.pm25UgM3).toBe(31);
    expect(parsed.readings.find((r) => r.deviceId === 'EPA-Hengchun')).toMatchObject({
      time: '2017-07-15T23:00:00.000Z',
      pm25UgM3: 5,
      pm10UgM3: 17,
    });
  });

  it('keeps a reading whose PM10 is "" with pm10-missing, as the protocol flags it', () => {
    const datong = parsed.readings.find((r) => r.deviceId === 'EPA-Datong')!;
    expect(datong).toMatchObject({ pm25UgM3: 3, pm10UgM3: null, flags: ['pm10-missing'] });
  });
});

describe('MOENV hourly: API v2 aqx_p_432', () => {
  it('matches by siteid and reads "YYYY/MM/DD HH:mm:ss" as Taipei time', () => {
    const parsed = parseMoenvHourly(v2([v2Record({})]), stations);
    expect(parsed.shape).toBe('aqx_p_432');
    expect(parsed.readings).toEqual([
      expect.objectContaining({
        deviceId: 'EPA-Keelung',
        time: '2024-05-01T06:00:00.000Z',
        pm25UgM3: 12,
        pm10UgM3: 25,
        lat: 25.129167,
      }),
    ]);
  });

  it('reports each bad record by index and still reads the good ones', () => {
    const parsed = parseMoenvHourly(
      v2([
        v2Record({ sitename: '員林', siteid: '999' }),
        v2Record({ siteid: '2' }),
        v2Record({ sitename: '汐止', siteid: '2', publishtime: '2024/13/01 14:00:00' }),
        v2Record({ sitename: '恆春', siteid: '61', 'pm2.5': '', pm10: 'x' }),
        v2Record({ sitename: '', siteid: '' }),
      ]),
      stations,
      'https://example.test/api',
    );
    expect(parsed.problems.map((p) => [p.code, p.message])).toEqual([
      [
        'unknown-station',
        'https://example.test/api records[0]: station 員林, siteid 999 is not in the station registry (77 stations)',
      ],
      [
        'station-mismatch',
        'https://example.test/api records[1]: siteid 2 is 汐止 (Xizhi) in the registry, but the record names 基隆',
      ],
      ['invalid-time', expect.stringContaining('records[2]: publishtime "2024/13/01 14:00:00"')],
      ['not-a-record', expect.stringContaining('records[4]: has neither sitename nor siteid')],
    ]);
    expect(parsed.readings).toEqual([
      expect.objectContaining({
        deviceId: 'EPA-Hengchun',
        pm25UgM3: null,
        pm10UgM3: null,
        flags: ['pm25-missing', 'pm10-invalid'],
      }),
    ]);
  });

  it('refuses a document of neither shape, saying what it expected', () => {
    expect(() => parseMoenvHourly({ feeds: [] }, stations, 'x.json')).toThrow(
      /x\.json: not MOENV hourly data: expected a JSON array of AQX records or an object with a "records" array/,
    );
  });
});

describe('publish times', () => {
  it.each([
    ['2017-07-15 14:00', '2017-07-15T06:00:00.000Z'],
    ['2024/05/01 14:00:00', '2024-05-01T06:00:00.000Z'],
    ['2024/05/01 00:30:00', '2024-04-30T16:00:00.000Z'],
    ['2024/02/30 10:00:00', null],
    ['', null],
    [undefined, null],
  ])('%s → %s', (text, iso) => {
    const ms = parseTaipeiHour(text);
    expect(ms === null ? null : new Date(ms).toISOString()).toBe(iso);
  });
});

describe('station ids', () => {
  it('gives every registry station a valid EPA-<English name> id', () => {
    const ids = stations.map(stationDeviceId);
    expect(ids.every(isValidDeviceId)).toBe(true);
    expect(new Set(ids).size).toBe(stations.length);
    expect(ids).toContain('EPA-FugueiCape');
    expect(stationDeviceId({ nameEn: 'Fuguei Cape', siteId: '84' })).toBe('EPA-FugueiCape');
  });

  it.skipIf(lassEpa.path === null)(
    `is the device_id LASS gives the same station ${lassEpa.skipReason}`,
    () => {
      const json: unknown = JSON.parse(readFileSync(lassEpa.path!, 'utf8'));
      const feeds = (json as { feeds: { SiteId: string; device_id: string }[] }).feeds;
      const bySite = new Map(stations.map((s) => [s.siteId, s]));
      expect(feeds).toHaveLength(77);
      for (const f of feeds) expect(stationDeviceId(bySite.get(f.SiteId)!)).toBe(f.device_id);
      // …and the protocol decoder keeps that id.
      const decoded = decodeOpenData(json, { nowMs: Date.UTC(2026, 0, 1) });
      expect(decoded.flatMap((r) => (r.ok ? r.readings : [])).map((r) => r.deviceId)).toEqual(
        feeds.map((f) => f.device_id),
      );
    },
  );
});

describe('site list (AQXSite 2017)', () => {
  const listed = stationsFromSiteList(fixture('aqx-site-2017-sample.json'));

  it('reads 76 stations with TWD97Lat/Lon as degrees', () => {
    expect(listed.problems).toEqual([]);
    expect(listed.stations).toHaveLength(76);
    expect(listed.stations.find((s) => s.nameEn === 'Taitung')).toMatchObject({
      nameZh: '臺東',
      county: '臺東縣',
      lat: 22.755358,
      lon: 121.15045,
      siteId: '',
    });
  });

  it('verifies the registry: nothing new, 富貴角 not listed, Matsu and Taoyuan moved (> 200 m)', () => {
    const check = checkSiteList(stations, listed.stations);
    expect(check.added).toEqual([]);
    expect(check.renamed).toEqual([]);
    expect(check.notListed.map((s) => s.nameZh)).toEqual(['富貴角']);
    expect(
      Object.fromEntries(check.moved.map((m) => [m.station.nameEn, Math.round(m.distanceM / 100)])),
    ).toEqual({ Matsu: 8, Taoyuan: 16 });
    expect(check.stations).toHaveLength(77);
  });

  it('adds a listed station the registry lacks, and refuses TM2 metres', () => {
    const more = stationsFromSiteList([
      {
        SiteName: '員林',
        SiteEngName: 'Yuanlin',
        County: '彰化縣',
        TWD97Lat: '23.96',
        TWD97Lon: '120.57',
      },
      { SiteName: '某站', SiteEngName: 'Grid', TWD97Lat: '2650000', TWD97Lon: '250000' },
    ]);
    expect(more.problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        'site list [1]: station 某站: TWD97Lat/TWD97Lon "2650000", "250000" are not degrees',
      ),
    ]);
    const check = checkSiteList(stations, more.stations);
    expect(check.added.map((s) => s.nameEn)).toEqual(['Yuanlin']);
    expect(check.stations).toHaveLength(78);
    expect(
      parseMoenvHourly(
        [{ SiteName: '員林', 'PM2.5': '9', PublishTime: '2024-05-01 14:00' }],
        check.stations,
      ).readings[0]?.deviceId,
    ).toBe('EPA-Yuanlin');
  });
});
