import { describe, expect, it } from 'vitest';
import { AqiRangeError, aqiFromPm25, categoryFor, tableInForce } from '../src/index.ts';

const at = new Date('2025-06-01T00:00:00Z');

describe('aqiFromPm25 refuses what no table can answer', () => {
  it.each([
    [-0.1, /-0\.1 µg\/m³ is negative/],
    [-50, /-50 µg\/m³ is negative/],
    [Number.NaN, /NaN µg\/m³ is not a finite number/],
    [Number.POSITIVE_INFINITY, /Infinity µg\/m³ is not a finite number/],
    [Number.NEGATIVE_INFINITY, /-Infinity µg\/m³ is not a finite number/],
  ])('%s µg/m³', (pm25UgM3, message) => {
    for (const scale of ['tw', 'us'] as const) {
      const call = (): unknown => aqiFromPm25(pm25UgM3, { scale, at });
      expect(call).toThrow(RangeError);
      expect(call).toThrow(message);
      expect(call).toThrow(expect.objectContaining({ code: 'invalid-concentration' }));
      expect(() => categoryFor(pm25UgM3, { scale, at })).toThrow(AqiRangeError);
    }
  });

  it('accepts -0 as zero', () => {
    expect(aqiFromPm25(-0, { scale: 'us', at }).aqi).toBe(0);
  });

  it('refuses an invalid Date', () => {
    const call = (): unknown => aqiFromPm25(10, { scale: 'tw', at: new Date('not a date') });
    expect(call).toThrow(RangeError);
    expect(call).toThrow(expect.objectContaining({ code: 'invalid-time' }));
  });

  it.each([
    // Taiwan reported PSI, not AQI, before 2016-12-01.
    ['tw', '2016-11-30T23:59:59+08:00', /no 'tw' AQI table .* 2016-12-01T00:00:00\+08:00/],
    ['us', '2013-03-17T12:00:00Z', /no 'us' AQI table .* 2013-03-18T00:00:00-04:00/],
  ] as const)('refuses %s before its first table (%s)', (scale, when, message) => {
    const call = (): unknown => tableInForce(scale, new Date(when));
    expect(call).toThrow(message);
    expect(call).toThrow(expect.objectContaining({ code: 'no-table-in-force' }));
  });
});
