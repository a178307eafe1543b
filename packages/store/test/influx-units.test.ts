import { describe, expect, it } from 'vitest';
import { backoffMs } from '../src/influx/backoff.ts';
import { DeadLetterIds, deadLetterToLine } from '../src/influx/line-protocol.ts';
import { parseQueryBody } from '../src/influx/query-client.ts';
import { readingRows } from '../src/influx/reading-rows.ts';
import { rowToReading } from '../src/influx/rows.ts';
import { InfluxStoreError, parseInfluxConfig, readingToLine } from '../src/index.ts';
import { T0_MS, boxReading, deadLetter, emptyReading, fullReading } from './readings.ts';

describe('line protocol of a reading', () => {
  const cases = [
    {
      name: 'Edimax AirBox, LASS ver_format=3, firmware 4.x',
      reading: boxReading('74DA38F207DE', T0_MS),
      line:
        'reading,device_id=74DA38F207DE,format=lass-v3,kind=box pm1=8,pm25=12.5,pm10=20,temperature=27.25,humidity=71,' +
        'lat=25.0478,lon=121.5319,flags="",app="AirBox",firmware="ver_4.1.1",received_at="2024-03-01T10:00:01.250Z" 1709287200000',
    },
    {
      name: 'a box that reported nothing: no measure fields at all',
      reading: emptyReading('74DA38AABBCC', T0_MS),
      line:
        'reading,device_id=74DA38AABBCC,format=lass-v0,kind=box flags="pm1-missing,pm25-missing,pm10-missing,position-missing",' +
        'received_at="2024-03-01T10:00:00.900Z" 1709287200000',
    },
    {
      name: 'calibrated, with an untrusted device clock',
      reading: fullReading('74DA38F207DE', T0_MS),
      line:
        'reading,device_id=74DA38F207DE,format=lass-v3,kind=box pm1=17,pm25=23.4,pm10=31.75,temperature=-3.5,humidity=96.2,' +
        'lat=24.1477358,lon=120.6736482,pm25_calibrated=18.062,calibration_model="barkjohn-2021-us",' +
        'flags="clock-invalid,humidity-high,pm-order",app="AirBox",firmware="ver_4.1.1",received_at="2024-03-01T10:00:01.250Z",' +
        'device_time="2080-01-06T00:00:05.000Z" 1709287200000',
    },
    {
      name: 'tag and string escaping',
      reading: boxReading('a b,c=d', T0_MS, {
        app: 'say "hi" \\',
        firmware: null,
        pm10UgM3: Number.NaN,
        lat: null,
        lon: null,
      }),
      line:
        'reading,device_id=a\\ b\\,c\\=d,format=lass-v3,kind=box pm1=8,pm25=12.5,temperature=27.25,humidity=71,' +
        'flags="",app="say \\"hi\\" \\\\",received_at="2024-03-01T10:00:01.250Z" 1709287200000',
    },
  ];

  it.each(cases)('$name', ({ reading, line }) => {
    expect(readingToLine(reading)).toBe(line);
  });

  it('refuses a reading without a usable time or device id, with a code', () => {
    expect(() => readingToLine(boxReading('x', T0_MS, { time: 'yesterday' }))).toThrow(
      expect.objectContaining({ code: 'influx-invalid-reading' }),
    );
    expect(() => readingToLine(boxReading('', T0_MS))).toThrow(
      /deviceId "" cannot be an InfluxDB tag/,
    );
  });

  it('writes a dead letter with its payload in base64 and the id as time', () => {
    const letter = deadLetter('LASS/Test/PM25', T0_MS, new Uint8Array([0x80, 0xff]));
    expect(deadLetterToLine(letter, T0_MS + 1)).toBe(
      'dead_letter,code=invalid-encoding topic="LASS/Test/PM25",payload_b64="gP8=",client_id="AirBox-74DA38F207DE",' +
        'reason="payload on LASS/Test/PM25 is not UTF-8 text (byte 0 is 0x80)",received_at="2024-03-01T10:00:00.000Z" 1709287200001',
    );
  });

  it('hands out unique dead-letter ids that keep receive order', () => {
    const ids = new DeadLetterIds();
    expect([1000, 1000, 1000, 3000, 2000, 1001].map((ms) => ids.next(ms))).toEqual([
      1000, 1001, 1002, 3000, 2000, 1003,
    ]);
  });
});

describe('InfluxQL answers', () => {
  const row = (values: unknown[]) =>
    JSON.stringify({
      results: [
        {
          statement_id: 0,
          series: [
            {
              name: 'reading',
              tags: { device_id: 'A' },
              columns: ['time', 'format', 'kind', 'pm25', 'flags', 'received_at', 'app'],
              values: [values],
            },
          ],
          partial: true,
        },
      ],
    });

  it('joins chunked answers and reads rows back into readings', () => {
    const body = `${row([T0_MS, 'lass-v3', 'box', 12.5, 'spike,not-a-flag', 'r1', null])}\n${row([T0_MS + 1, 'lass-v3', 'box', null, '', 'r2', 'AirBox'])}\n`;
    const readings = parseQueryBody(body, 'q').map(rowToReading);
    expect(
      readings.map((r) => [
        r.deviceId,
        r.time,
        r.pm25UgM3,
        r.flags,
        r.app,
        r.pm10UgM3,
        r.calibrationModel,
      ]),
    ).toEqual([
      ['A', '2024-03-01T10:00:00.000Z', 12.5, ['spike'], null, null, null],
      ['A', '2024-03-01T10:00:00.001Z', null, [], 'AirBox', null, null],
    ]);
  });

  it('fails loudly on a row it did not write, and on a statement error', () => {
    const [foreign] = parseQueryBody(row([T0_MS, 'lass-v9', 'box', 1, '', 'r', null]), 'q');
    expect(() => rowToReading(foreign!)).toThrow(/column format is "lass-v9", expected one of/);
    const error = JSON.stringify({ results: [{ statement_id: 0, error: 'error parsing query' }] });
    expect(() => parseQueryBody(error, 'SELECT')).toThrow(
      expect.objectContaining({ code: 'influx-query-failed' }),
    );
    expect(
      parseQueryBody(JSON.stringify({ results: [{ error: 'database not found: x' }] }), 'q'),
    ).toEqual([]);
  });

  it('maps readings to rows by device, and refuses a received_at that is not a time', () => {
    const rows = readingRows([
      fullReading('A', T0_MS),
      boxReading('A', T0_MS + 60_000),
      emptyReading('B', T0_MS),
    ]);
    expect(rows.map((d) => [d.deviceId, d.rows.map((r) => r[0] - T0_MS)])).toEqual([
      ['A', [0, 60_000]],
      ['B', [0]],
    ]);
    expect(rows[0]?.rows[0]?.[10]).toMatchObject({
      deviceTime: '2080-01-06T00:00:05.000Z',
      calibrationModel: 'barkjohn-2021-us',
    });
    expect(rows[1]?.rows[0]?.[9]).toBeNull();
    const [foreign] = parseQueryBody(row([T0_MS, 'lass-v3', 'box', 1, '', 'r1', null]), 'q');
    expect(() => readingRows([rowToReading(foreign!)])).toThrow(
      expect.objectContaining({
        code: 'influx-bad-row',
        message: expect.stringContaining('column received_at is "r1", expected an ISO 8601 time'),
      }),
    );
  });
});

describe('config', () => {
  it('fills in defaults', () => {
    const cfg = parseInfluxConfig({
      mode: 'v1',
      url: 'http://127.0.0.1:8086',
      database: 'airbox',
      spillDir: '/var/spool/airbox',
    });
    expect(cfg).toMatchObject({
      maxBufferedReadings: 100_000,
      batchSize: 5_000,
      createDatabase: false,
    });
  });

  it('lists every bad field at once, with a stable code', () => {
    let error: unknown;
    try {
      parseInfluxConfig({
        mode: 'v2',
        url: 'ftp://x?token=1',
        org: '',
        bucket: 'b',
        spillDir: '/s',
        batchSize: 0,
        retryJitter: 2,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InfluxStoreError);
    expect((error as InfluxStoreError).code).toBe('influx-config-invalid');
    const message = (error as Error).message;
    for (const field of [
      'org:',
      'token:',
      'batchSize:',
      'retryJitter:',
      'url: expected http:',
      'url: put no query',
    ]) {
      expect(message).toContain(field);
    }
    expect(() => parseInfluxConfig({ url: 'http://x' })).toThrow(/mode: expected "v1"/);
  });
});

describe('retry back-off', () => {
  const opts = { retryMinMs: 100, retryMaxMs: 1_000, retryJitter: 0.5 };
  it('doubles from the minimum, caps, and jitters downwards only', () => {
    expect([1, 2, 3, 4, 5, 20].map((a) => backoffMs(a, opts, () => 0))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(backoffMs(3, opts, () => 1)).toBe(200);
    expect(backoffMs(1_000, opts, () => 0.999)).toBeGreaterThanOrEqual(500);
  });
});
