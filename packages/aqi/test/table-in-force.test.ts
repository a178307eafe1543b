import { describe, expect, it } from 'vitest';
import { aqiFromPm25, tableInForce, type Scale } from '../src/index.ts';

describe('tableInForce', () => {
  it.each([
    // Taiwan switches at midnight Taipei time (UTC+8).
    ['tw', '2016-12-01T00:00:00+08:00', 'tw-moenv-2016'],
    ['tw', '2024-12-31T23:59:59+08:00', 'tw-moenv-2016'],
    ['tw', '2025-01-01T00:00:00+08:00', 'tw-moenv-2025'],
    ['tw', '2024-12-31T16:30:00Z', 'tw-moenv-2025'], // already 00:30 on 1 January in Taipei
    ['tw', '2030-01-01T00:00:00+08:00', 'tw-moenv-2025'],
    // US tables switch at midnight US Eastern time.
    ['us', '2013-03-18T00:00:00-04:00', 'us-epa-2012'],
    ['us', '2024-05-05T23:59:59-04:00', 'us-epa-2012'],
    ['us', '2024-05-06T00:00:00-04:00', 'us-epa-2024'],
  ] as const)('%s at %s → %s', (scale: Scale, at, id) => {
    expect(tableInForce(scale, new Date(at)).id).toBe(id);
  });

  it('defaults to the table in force now', () => {
    const now = new Date();
    expect(aqiFromPm25(10, { scale: 'tw' }).table).toBe(tableInForce('tw', now));
  });
});

describe('the same reading across a table switch', () => {
  it.each([
    // Taiwan 2025: 13.0 µg/m³ turns from Good (42) to Moderate (52).
    ['tw', '2024-12-31T23:00:00+08:00', 13.0, 42, 'good'],
    ['tw', '2025-01-01T01:00:00+08:00', 13.0, 52, 'moderate'],
    // 31.0 µg/m³ turns from Moderate (89) to Unhealthy for Sensitive Groups (102).
    ['tw', '2024-12-31T23:00:00+08:00', 31.0, 89, 'moderate'],
    ['tw', '2025-01-01T01:00:00+08:00', 31.0, 102, 'unhealthy-sensitive'],
    // US 2024: 10.0 µg/m³ turns from Good (42) to Moderate (53).
    ['us', '2024-05-05T12:00:00-04:00', 10.0, 42, 'good'],
    ['us', '2024-05-06T12:00:00-04:00', 10.0, 53, 'moderate'],
  ] as const)('%s at %s: %s µg/m³ → %s (%s)', (scale, at, pm25UgM3, aqi, category) => {
    const result = aqiFromPm25(pm25UgM3, { scale, at: new Date(at) });
    expect(result.aqi).toBe(aqi);
    expect(result.category.key).toBe(category);
  });
});
