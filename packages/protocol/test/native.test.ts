import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  MAX_BATCH_READINGS,
  nativeTopic,
  type DecodeContext,
} from '../src/index.ts';

const ctx: DecodeContext = { nowMs: Date.UTC(2026, 10, 27), receivedAtMs: Date.UTC(2026, 10, 27) };
const reading = {
  time: '2026-11-26T23:59:00Z',
  lat: 25.0478,
  lon: 121.5319,
  pm1UgM3: 8,
  pm25UgM3: 12.5,
  pm10UgM3: 20,
  temperatureC: 21.3,
  humidityPct: 64,
  firmware: '0.1.0',
};

describe('native JSON readings', () => {
  it('decodes a reading, taking the device id from the topic', () => {
    const result = decodeMessage(nativeTopic('box-1', 'reading'), JSON.stringify(reading), ctx);
    expect(result).toEqual({
      ok: true,
      readings: [
        {
          deviceId: 'box-1',
          time: '2026-11-26T23:59:00.000Z',
          lat: 25.0478,
          lon: 121.5319,
          pm1UgM3: 8,
          pm25UgM3: 12.5,
          pm10UgM3: 20,
          temperatureC: 21.3,
          humidityPct: 64,
          format: 'native-v1',
          app: null,
          firmware: '0.1.0',
          flags: [],
          kind: 'box',
        },
      ],
    });
  });

  it('decodes a backfill batch with the original timestamps', () => {
    const batch = [0, 1, 2].map((i) => ({ ...reading, time: `2026-11-20T10:0${i}:00Z` }));
    const result = decodeMessage(nativeTopic('box-1', 'batch'), JSON.stringify(batch), ctx);
    expect(result.ok && result.readings.map((r) => r.time)).toEqual([
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T10:01:00.000Z',
      '2026-11-20T10:02:00.000Z',
    ]);
  });

  it.each([
    ['not json', '{"time":', 'invalid-json', 'not JSON'],
    ['a wrong type', JSON.stringify({ ...reading, pm25UgM3: '12' }), 'schema-mismatch', 'pm25UgM3'],
    ['no time', JSON.stringify({ ...reading, time: undefined }), 'schema-mismatch', 'time'],
    ['a bad time', JSON.stringify({ ...reading, time: 'yesterday' }), 'schema-mismatch', 'time'],
    [
      'a device id other than the topic',
      JSON.stringify({ ...reading, deviceId: 'box-2' }),
      'device-mismatch',
      'box-2',
    ],
  ])('refuses %s with a coded error naming the problem', (_, payload, code, mentions) => {
    const result = decodeMessage(nativeTopic('box-1', 'reading'), payload, ctx);
    expect(result).toMatchObject({ ok: false, error: { code } });
    if (!result.ok) expect(result.error.message).toContain(mentions);
  });

  it('names the batch item that is wrong', () => {
    const batch = [reading, { ...reading, humidityPct: 'wet' }];
    const result = decodeMessage(nativeTopic('box-1', 'batch'), JSON.stringify(batch), ctx);
    expect(result.ok === false && result.error.message).toContain('[1].humidityPct');
  });

  it(`refuses a batch of more than ${MAX_BATCH_READINGS} readings`, () => {
    const batch = Array.from({ length: MAX_BATCH_READINGS + 1 }, () => reading);
    const result = decodeMessage(nativeTopic('box-1', 'batch'), JSON.stringify(batch), ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'schema-mismatch' } });
  });

  it('refuses status and config topics as readings', () => {
    const result = decodeMessage(nativeTopic('box-1', 'status'), '{"online":true}', ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'not-a-reading' } });
  });

  it('refuses oversized payloads before parsing them', () => {
    const big = Buffer.alloc(300 * 1024, 0x20);
    const result = decodeMessage(nativeTopic('box-1', 'reading'), big, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'payload-too-large' } });
  });

  it('refuses bytes that are not UTF-8', () => {
    const result = decodeMessage('LASS/Test/PM25', Buffer.from([0x7c, 0xff, 0xfe]), ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-encoding' } });
  });
});
