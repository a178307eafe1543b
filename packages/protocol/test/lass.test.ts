import type { Reading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { decodeLass, decodeMessage, type DecodeContext } from '../src/index.ts';

const NOW = Date.UTC(2026, 0, 1);
const ctx: DecodeContext = { nowMs: NOW };

function one(payload: string, c: DecodeContext = ctx): Reading {
  const result = decodeLass(payload, c);
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  expect(result.readings).toHaveLength(1);
  return result.readings[0]!;
}

const V3 =
  '|ver_format=3|fmt_opt=0|app=PM25|ver_app=0.7.5|device_id=FT1_003|tick=5447049|date=2015-10-18|time=06:26:25|device=LinkItONE|s_0=459.00|s_1=66.00|s_2=1.00|s_3=0.00|s_d0=33.00|s_t0=22.60|s_h0=83.50|gps_lat=25.025452|gps_lon=121.371092|gps_fix=1|gps_num=9|gps_alt=3';

describe('LASS ver_format 3 (LinkIt ONE, lass.py L1222)', () => {
  it('maps s_d0 to PM2.5, s_t0 to °C and s_h0 to %RH', () => {
    const r = one(V3);
    expect(r).toMatchObject({
      deviceId: 'FT1_003',
      pm25UgM3: 33,
      temperatureC: 22.6,
      humidityPct: 83.5,
    });
    expect(r).toMatchObject({ format: 'lass-v3', app: 'PM25', firmware: '0.7.5', kind: 'box' });
  });

  it('reads DIY device dates as UTC', () => {
    expect(one(V3).time).toBe('2015-10-18T06:26:25.000Z');
  });

  it('converts the LinkIt ONE ddmm.mmmm/100 position to decimal degrees', () => {
    // 25.025452 = 25° 02.5452′ = 25.042420°; 121.371092 = 121° 37.1092′ = 121.618487°
    const r = one(V3);
    expect(r.lat).toBeCloseTo(25.04242, 6);
    expect(r.lon).toBeCloseTo(121.618487, 5);
  });

  it('keeps a configured position (fmt_opt=1, FAKE_GPS=1) in decimal degrees', () => {
    expect(one(V3.replace('fmt_opt=0', 'fmt_opt=1')).lat).toBe(25.025452);
    expect(one(`${V3}|FAKE_GPS=1`).lon).toBe(121.371092);
  });

  it('reads app=AirBox dates as Asia/Taipei local time', () => {
    const airbox = V3.replace('app=PM25', 'app=AirBox').replace(
      'device=LinkItONE',
      'device=AirBox',
    );
    const r = one(airbox);
    expect(r.time).toBe('2015-10-17T22:26:25.000Z');
    expect(r.lat).toBe(25.025452);
  });

  it('does not trust the GPS default date 2080-01-06 and keeps what the device said', () => {
    const r = one(V3.replace('date=2015-10-18', 'date=2080-01-06'));
    expect(r.flags).toContain('clock-invalid');
    expect(r.time).toBeNull();
    expect(r.deviceTime).toBe('2080-01-06T06:26:25.000Z');
  });

  it('uses the receive time in place of an invalid clock when it is known', () => {
    const receivedAtMs = Date.UTC(2026, 0, 1, 12);
    const r = one(V3.replace('date=2015-10-18', 'date=2080-01-06'), { nowMs: NOW, receivedAtMs });
    expect(r.time).toBe('2026-01-01T12:00:00.000Z');
  });

  it('accepts a late reading but flags a clock running ahead of the receive time', () => {
    const receivedAtMs = Date.UTC(2015, 9, 18, 6, 0);
    expect(one(V3, { nowMs: NOW, receivedAtMs }).flags).toContain('clock-skew');
    const late = one(V3, { nowMs: NOW, receivedAtMs: Date.UTC(2015, 9, 20) });
    expect(late.flags).not.toContain('clock-skew');
    expect(late.time).toBe('2015-10-18T06:26:25.000Z');
  });

  it.each([
    ['N/A', 'pm25-missing', null],
    ['', 'pm25-missing', null],
    ['abc', 'pm25-invalid', null],
    ['-3.00', 'pm25-out-of-range', -3],
    ['1500.00', 'pm25-out-of-range', 1500],
  ])('s_d0=%j is flagged %s and reads %j', (value, flag, expected) => {
    const r = one(V3.replace('s_d0=33.00', `s_d0=${value}`));
    expect(r.flags).toContain(flag);
    expect(r.pm25UgM3).toBe(expected);
  });

  it('keeps an impossible temperature (s_t0=604.51, real LASS data) and flags it', () => {
    const r = one(V3.replace('s_t0=22.60', 's_t0=604.51'));
    expect(r.temperatureC).toBe(604.51);
    expect(r.flags).toContain('temperature-out-of-range');
  });

  it('flags RH above 95 % and PM sizes out of order', () => {
    const r = one(
      V3.replace('s_h0=83.50', 's_h0=100.00').replace('s_d0=33.00', 's_d0=33.00|s_d1=20.00'),
    );
    expect(r.flags).toEqual(expect.arrayContaining(['humidity-high', 'pm-order']));
  });

  it('flags a position of 0,0 as invalid and drops it', () => {
    const r = one(
      V3.replace('gps_lat=25.025452', 'gps_lat=0').replace('gps_lon=121.371092', 'gps_lon=0'),
    );
    expect(r.flags).toContain('position-invalid');
    expect([r.lat, r.lon]).toEqual([null, null]);
  });
});

describe('LASS ver_format 0 and 1', () => {
  const V1 =
    '|ver_format=1|fmt_opt=0|app=EXAMPLE_APP1|ver_app=0.6.6|device_id=LASS-Hello1|tick=484514|date=9/10/15|time=3:34:26|device=LinkItONE|values=12.00,100.00,1.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00,2694.14,9529.93,60.00,0.00,0.00,0.00,0.00,0.00,0.00,0.00|gps=$GPGGA,033426.000,2448.0121,N,12059.6718,E,1,10,0.95,67.6,M,15.0,M,,*5D';

  it('reads D/M/YY dates (9/10/15 is 9 October 2015) with unpadded times, in UTC', () => {
    expect(one(V1).time).toBe('2015-10-09T03:34:26.000Z');
  });

  it('parses the $GPGGA sentence to decimal degrees', () => {
    const r = one(V1);
    expect(r.lat).toBeCloseTo(24 + 48.0121 / 60, 6);
    expect(r.lon).toBeCloseTo(120 + 59.6718 / 60, 6);
    expect(r.flags).not.toContain('position-no-fix');
  });

  it('treats a $GPGGA sentence with a wrong checksum as an invalid position', () => {
    const r = one(V1.replace('*5D', '*00'));
    expect(r.flags).toContain('position-invalid');
    expect(r.lat).toBeNull();
  });

  it('does not trust 6/1/80, the GPS receiver default date before a fix', () => {
    const r = one(V1.replace('date=9/10/15', 'date=6/1/80'));
    expect(r.flags).toContain('clock-invalid');
    expect(r.deviceTime).toBe('1980-01-06T03:34:26.000Z');
  });

  it('does not invent PM2.5 from the raw dust count in values[10]', () => {
    const r = one(V1);
    expect(r.pm25UgM3).toBeNull();
    expect(r.flags).toContain('pm25-missing');
  });

  it('reads temperature and humidity from the MAPS app values slots', () => {
    const maps = V1.replace('app=EXAMPLE_APP1', 'app=MAPS');
    expect(one(maps)).toMatchObject({ temperatureC: 9529.93, humidityPct: 60 });
  });

  it('reads ver_format 0 payloads, which have no ver_format field', () => {
    const v0 =
      '|app=EXAMPLE_APP|device_id=LASS-Wuulong|tick=27378353|date=9/7/15|time=12:48:10|device=LinkItONE|values=2,100,0|gps=$GPGGA,124810.000,2448.0151,N,12059.5613,E,1,8,1.14,87.9,M,15.0,M,,*6D\r';
    expect(one(v0)).toMatchObject({ format: 'lass-v0', time: '2015-07-09T12:48:10.000Z' });
  });
});

describe('LASS errors name the input and the problem', () => {
  it.each([
    ['hello world', 'not-lass'],
    ['|ver_format=9|device_id=X', 'unsupported-ver-format'],
    ['|ver_format=3|app=PM25|s_d0=1', 'missing-device-id'],
    ['|ver_format=3|device_id=a/b#', 'invalid-device-id'],
  ])('%j → %s', (payload, code) => {
    const result = decodeLass(payload, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeGreaterThan(10);
    }
  });

  it('refuses a payload whose device_id differs from the one in the topic', () => {
    const result = decodeMessage('LASS/Test/PM25/FT1_999', V3, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'device-mismatch' } });
    if (!result.ok) expect(result.error.message).toContain('FT1_003');
  });
});
