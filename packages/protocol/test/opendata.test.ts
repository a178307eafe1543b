import type { Reading } from '@airbox/contracts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '@airbox/testkit';
import { decodeOpenData } from '../src/index.ts';

// Both files carry no licence of their own: they stay in ../shared/data.
const airbox = sharedData(
  'lass/lass-last-all-airbox-2020-05-23-sample.json',
  'no explicit licence',
);
const epa = sharedData('reference/lass-last-all-epa-2020-05-23.json', 'no explicit licence');
const ctx = { nowMs: Date.UTC(2026, 0, 1) };

function decodeFile(path: string): Reading[] {
  const results = decodeOpenData(JSON.parse(readFileSync(path, 'utf8')), ctx);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  return results.flatMap((r) => (r.ok ? r.readings : []));
}

describe('LASS open data: last-all-airbox.json', () => {
  it.skipIf(airbox.path === null)(`decodes all 400 AirBox records ${airbox.skipReason}`, () => {
    const readings = decodeFile(airbox.path!);
    expect(readings).toHaveLength(400);
    const first = readings[0]!;
    expect(first).toMatchObject({
      deviceId: '08BEAC0A0270',
      time: '2020-05-23T02:19:20.000Z',
      pm25UgM3: 41,
      pm10UgM3: 54,
      pm1UgM3: 20,
      temperatureC: 27.5,
      humidityPct: 100,
      lat: 23.6676036,
      firmware: 'v1.06',
      format: 'lass-opendata',
      kind: 'box',
      pm25CalibratedUgM3: 70.72,
      calibrationModel: 'lass:Theil-Sen/21/8.7',
    });
  });

  it.skipIf(airbox.path === null)(
    `keeps records whose c_d0 is "N/A" uncalibrated ${airbox.skipReason}`,
    () => {
      const readings = decodeFile(airbox.path!);
      const na = readings.find((r) => r.deviceId === '08BEAC0A06D4')!;
      expect(na.pm25UgM3).toBe(26);
      expect(na.pm25CalibratedUgM3).toBeUndefined();
      expect(readings.every((r) => r.time !== null && r.lat !== null)).toBe(true);
    },
  );
});

describe('LASS open data: last-all-epa.json (EPA_COPY)', () => {
  it.skipIf(epa.path === null)(
    `decodes station records as reference readings ${epa.skipReason}`,
    () => {
      const readings = decodeFile(epa.path!);
      expect(readings.length).toBeGreaterThan(50);
      expect(readings.every((r) => r.kind === 'reference')).toBe(true);
      expect(readings.find((r) => r.deviceId === 'EPA-Hengchun')).toMatchObject({
        time: '2020-05-23T02:00:00.000Z',
        pm25UgM3: 5,
        pm10UgM3: 7,
        lat: 21.958069,
        lon: 120.788928,
      });
    },
  );
});

describe('LASS open data: bad files', () => {
  it('says what is wrong with a file that is not an archive', () => {
    expect(decodeOpenData({ records: [] }, ctx)).toEqual([
      { ok: false, error: { code: 'schema-mismatch', message: expect.stringContaining('feeds') } },
    ]);
  });

  it('reports a record without device_id by its index, and decodes the others', () => {
    const results = decodeOpenData({ feeds: [{ s_d0: 1 }, { device_id: 'A1', s_d0: 3 }] }, ctx);
    expect(results[0]).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('feeds[0]') },
    });
    expect(results[1]).toMatchObject({ ok: true });
  });
});
