import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadReferenceStations } from '@airbox/geo';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { sharedData, tempDir } from '@airbox/testkit';
import { importReferenceFile, StreamWorker } from '../src/index.ts';

/** Imports into a real SQLite file, read back through the store's own queries. */
const stations = loadReferenceStations();
const dir = tempDir('reference-import');
afterAll(() => dir.remove());
const AQX = fileURLToPath(
  new URL('fixtures/reference/aqx-hourly-2017-sample.json', import.meta.url),
);
const lassEpa = sharedData('reference/lass-last-all-epa-2020-05-23.json', 'no explicit licence');
const NOW = Date.UTC(2026, 10, 27);

let store: SqliteStore;
let worker: StreamWorker;
let n = 0;
beforeEach(() => {
  store = openSqliteStore({ path: join(dir.path, `readings-${++n}.db`) });
  worker = new StreamWorker({ store, now: () => NOW });
});
afterEach(async () => {
  await worker.drain();
  await store.close();
});

const importFile = (path: string, opts = {}) =>
  importReferenceFile(path, worker, stations, { now: () => NOW, ...opts });
const latest = async () =>
  new Map((await store.latest({ kind: 'reference' })).map((r) => [r.deviceId, r]));

function csvFile(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

describe('importing the 2017 AQX download', () => {
  it('stores 76 station readings that come back as the latest reference readings', async () => {
    const summary = await importFile(AQX);
    expect(summary).toMatchObject({ format: 'moenv', readings: 76, stored: 76, rejected: 0 });
    const byId = await latest();
    expect(byId.size).toBe(76);
    expect(byId.get('EPA-Longtan')).toMatchObject({
      kind: 'reference',
      time: '2017-07-15T06:00:00.000Z',
      pm25UgM3: 20,
      pm10UgM3: 41,
      // the worker never recalibrates a reference station
      pm25CalibratedUgM3: 20,
      calibrationModel: 'identity',
    });
    expect(byId.get('EPA-Mailiao')).toMatchObject({ pm25UgM3: 26, pm10UgM3: 62 });
    expect(byId.get('EPA-Datong')).toMatchObject({ pm25UgM3: 3, pm10UgM3: null });
    expect(byId.get('EPA-Datong')!.flags).toContain('pm10-missing');
  });

  it('stores nothing twice when the same file is imported again', async () => {
    await importFile(AQX);
    const again = await importFile(AQX);
    expect(again).toMatchObject({ readings: 76, stored: 0, duplicates: 76 });
    expect(await store.countReadings()).toBe(76);
  });
});

describe.skipIf(lassEpa.path === null)(
  `importing LASS last-all-epa.json ${lassEpa.skipReason}`,
  () => {
    it('stores all 77 stations through the protocol decoder', async () => {
      const summary = await importFile(lassEpa.path!);
      expect(summary).toMatchObject({ format: 'lass-epa', readings: 77, stored: 77, rejected: 0 });
      const byId = await latest();
      expect(byId.get('EPA-Hengchun')).toMatchObject({
        time: '2020-05-23T02:00:00.000Z',
        pm25UgM3: 5,
        pm10UgM3: 7,
        format: 'lass-opendata',
        app: 'EPA_COPY',
      });
      // PM2_5 absent in LASS's copy: kept, and flagged unusable
      expect(byId.get('EPA-Daliao')).toMatchObject({ pm25UgM3: null, pm10UgM3: null });
      expect(byId.get('EPA-Daliao')!.flags).toContain('pm25-missing');
    });

    it('gives the same station-hour from the CSV the same key: stored once', async () => {
      await importFile(lassEpa.path!);
      const csv = csvFile(
        'overlap.csv',
        'station,time,pm25_ugm3\nHengchun,2020-05-23T10:00+08:00,99\n',
      );
      expect(await importFile(csv)).toMatchObject({ stored: 0, duplicates: 1 });
      expect((await latest()).get('EPA-Hengchun')?.pm25UgM3).toBe(5);
    });
  },
);

describe('importing the reference CSV', () => {
  it('reads site ids, English and Chinese names, offsets and Z, and an empty PM10', async () => {
    const path = csvFile(
      'good.csv',
      [
        '# exported from the school project',
        'station,time,pm25_ugm3,pm10_ugm3',
        '1,2024-05-01T14:00+08:00,12,25',
        'Xizhi,2024-05-01T06:00:00Z,9.5,',
        '恆春,2024-05-01T14:00:00+0800,4,8',
        '',
      ].join('\r\n'),
    );
    const summary = await importFile(path);
    expect(summary).toMatchObject({ format: 'csv', readings: 3, stored: 3, rejected: 0 });
    const byId = await latest();
    expect(byId.get('EPA-Keelung')).toMatchObject({
      time: '2024-05-01T06:00:00.000Z',
      pm25UgM3: 12,
    });
    expect(byId.get('EPA-Xizhi')).toMatchObject({ pm25UgM3: 9.5, pm10UgM3: null });
    expect(byId.get('EPA-Hengchun')).toMatchObject({
      time: '2024-05-01T06:00:00.000Z',
      lat: 21.958069,
    });
  });

  // Each bad line is reported with its line and column; the good line is still stored.
  it.each([
    [
      'Taipei101,2024-05-01T14:00+08:00,12',
      'line 3, column station: "Taipei101" is not a station',
      'unknown-station',
    ],
    [
      'Keelung,2024-05-01 14:00,12',
      'line 3, column time: "2024-05-01 14:00" has no UTC offset',
      'invalid-time',
    ],
    [
      'Keelung,yesterday,12',
      'line 3, column time: "yesterday" is not an ISO 8601 time',
      'invalid-time',
    ],
    [
      'Keelung,2024-02-30T14:00+08:00,12',
      'line 3, column time: "2024-02-30T14:00+08:00" is not a real date',
      'invalid-time',
    ],
    [
      'Keelung,2024-05-01T14:00+08:00,-3',
      'line 3, column pm25_ugm3: -3 is negative',
      'invalid-value',
    ],
    [
      'Keelung,2024-05-01T14:00+08:00,12 ug',
      'line 3, column pm25_ugm3: "12 ug" is not a number',
      'invalid-value',
    ],
    ['Keelung,2024-05-01T14:00+08:00', 'line 3: 2 cells, the header needs 3', 'not-a-record'],
  ])('%s → %s', async (line, message, code) => {
    const path = csvFile('bad.csv', `station,time,pm25_ugm3\nXizhi,2024-05-01T06:00Z,9\n${line}\n`);
    const summary = await importFile(path);
    expect(summary).toMatchObject({ readings: 1, stored: 1, rejected: 1 });
    expect(summary.problems).toEqual([
      {
        code,
        where: expect.stringContaining('line 3'),
        message: expect.stringContaining(`${path} ${message}`),
      },
    ]);
  });

  it.each([
    [
      'station,time,pm25\nKeelung,2024-05-01T14:00+08:00,12\n',
      /line 1: no "pm25_ugm3" column in the header "station,time,pm25"/,
    ],
    ['station,time,pm25_mgm3\n', /no "pm25_ugm3" column .* \(values in mg\/m³: multiply by 1000/],
    ['# only a comment\n', /the file is empty/],
    [
      'station,time,pm25_ugm3\nKeelung,2024-05-01T14:00+08:00,12000\nXizhi,2024-05-01T14:00+08:00,9000\n',
      /column pm25_ugm3: the median is 10500 µg\/m³, above 1000: .*mg\/µg confusion.* Nothing was imported/,
    ],
  ])('refuses the whole file: %j', async (text, error) => {
    await importFile(
      csvFile('ok.csv', 'station,time,pm25_ugm3\nKeelung,2024-05-01T13:00+08:00,7\n'),
    );
    const path = csvFile('refused.csv', text);
    await expect(importFile(path)).rejects.toThrow(error);
    await expect(importFile(path)).rejects.toThrow(path);
    // nothing already stored is lost, nothing of the refused file is stored
    expect(await store.countReadings()).toBe(1);
    expect((await latest()).get('EPA-Keelung')?.pm25UgM3).toBe(7);
  });

  it('names the file when it cannot be read or is JSON of another kind', async () => {
    await expect(importFile(join(dir.path, 'absent.json'))).rejects.toThrow(/absent\.json: ENOENT/);
    const other = csvFile('other.json', '{"hello": 1}');
    await expect(importFile(other)).rejects.toThrow(
      /other\.json: JSON that is neither a LASS archive .* nor MOENV hourly data/,
    );
    const broken = csvFile('broken.json', '[{"SiteName": ');
    await expect(importFile(broken)).rejects.toThrow(/broken\.json: not valid JSON/);
  });
});
