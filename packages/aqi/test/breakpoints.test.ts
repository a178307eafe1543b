import { describe, expect, it } from 'vitest';
import { aqiFromPm25, type CategoryKey, type Scale } from '../src/index.ts';

type Case = readonly [pm25UgM3: number, aqi: number, category: CategoryKey];

interface TableCases {
  id: string;
  scale: Scale;
  /** An instant well inside the table's period. */
  at: string;
  cases: readonly Case[];
}

// At and either side of every breakpoint, one mid-band value worked by hand with
// I = (Ihi − Ilo) / (Chi − Clo) · (C − Clo) + Ilo, and the agency's truncation or rounding.
const TABLES: readonly TableCases[] = [
  {
    id: 'us-epa-2024',
    scale: 'us',
    at: '2025-06-01T12:00:00Z',
    cases: [
      [0, 0, 'good'],
      [4.5, 25, 'good'],
      [9.0, 50, 'good'],
      [9.05, 50, 'good'], // truncated to 9.0, not rounded to 9.1
      [9.1, 51, 'moderate'],
      [20.0, 71, 'moderate'], // 51 + 49 × 10.9 / 26.3 = 71.31
      [35.4, 100, 'moderate'],
      [35.49, 100, 'moderate'],
      [35.5, 101, 'unhealthy-sensitive'],
      [55.4, 150, 'unhealthy-sensitive'],
      [55.5, 151, 'unhealthy'],
      [125.4, 200, 'unhealthy'],
      [125.5, 201, 'very-unhealthy'],
      [225.4, 300, 'very-unhealthy'],
      [225.5, 301, 'hazardous'],
      [275.4, 400, 'hazardous'], // 301 + 199 × 49.9 / 99.9 = 400.40: one merged 301–500 band
      [325.4, 500, 'hazardous'],
      [325.5, 500, 'hazardous'],
      [1000, 500, 'hazardous'],
    ],
  },
  {
    id: 'us-epa-2012',
    scale: 'us',
    at: '2020-01-15T12:00:00Z',
    cases: [
      [0, 0, 'good'],
      [9.1, 38, 'good'], // Moderate under 2024, Good under 2012
      [12.0, 50, 'good'],
      [12.09, 50, 'good'],
      [12.1, 51, 'moderate'],
      [35.4, 100, 'moderate'],
      [35.5, 101, 'unhealthy-sensitive'],
      [55.4, 150, 'unhealthy-sensitive'],
      [55.5, 151, 'unhealthy'],
      [150.4, 200, 'unhealthy'],
      [150.5, 201, 'very-unhealthy'],
      [250.4, 300, 'very-unhealthy'],
      [250.5, 301, 'hazardous'],
      [350.4, 400, 'hazardous'],
      [350.5, 401, 'hazardous'],
      [500.4, 500, 'hazardous'],
      [500.5, 500, 'hazardous'],
    ],
  },
  {
    id: 'tw-moenv-2016',
    scale: 'tw',
    at: '2020-01-15T12:00:00+08:00',
    cases: [
      [0, 0, 'good'],
      [15.4, 50, 'good'],
      [15.44, 50, 'good'],
      [15.45, 51, 'moderate'], // MOENV rounds 15.45 up to 15.5; US EPA would truncate
      [15.5, 51, 'moderate'],
      [25.0, 74, 'moderate'], // 51 + 49 × 9.5 / 19.9 = 74.39
      [35.4, 100, 'moderate'],
      [35.5, 101, 'unhealthy-sensitive'],
      [54.4, 150, 'unhealthy-sensitive'],
      [54.5, 151, 'unhealthy'],
      [150.4, 200, 'unhealthy'],
      [150.5, 201, 'very-unhealthy'],
      [250.4, 300, 'very-unhealthy'],
      [250.5, 301, 'hazardous'],
      [350.4, 400, 'hazardous'],
      [350.5, 401, 'hazardous'],
      [500.4, 500, 'hazardous'],
      [600, 500, 'hazardous'],
    ],
  },
  {
    id: 'tw-moenv-2025',
    scale: 'tw',
    at: '2025-06-01T12:00:00+08:00',
    cases: [
      [0, 0, 'good'],
      [12.4, 50, 'good'],
      [12.45, 51, 'moderate'], // rounded to 12.5
      [12.5, 51, 'moderate'],
      [20.0, 72, 'moderate'], // 51 + 49 × 7.5 / 17.9 = 71.53
      [30.4, 100, 'moderate'],
      [30.5, 101, 'unhealthy-sensitive'],
      [50.4, 150, 'unhealthy-sensitive'],
      [50.5, 151, 'unhealthy'],
      [125.4, 200, 'unhealthy'],
      [125.5, 201, 'very-unhealthy'],
      [225.4, 300, 'very-unhealthy'],
      [225.5, 301, 'hazardous'],
      [325.4, 400, 'hazardous'],
      [325.5, 401, 'hazardous'],
      [400.0, 443, 'hazardous'], // 401 + 99 × 74.5 / 174.9 = 443.17
      [500.4, 500, 'hazardous'],
      [500.5, 500, 'hazardous'],
    ],
  },
];

describe.each(TABLES)('$id', ({ id, scale, at, cases }) => {
  it.each(cases)('%s µg/m³ → AQI %s (%s)', (pm25UgM3, expectedAqi, expectedCategory) => {
    const result = aqiFromPm25(pm25UgM3, { scale, at: new Date(at) });
    expect(result.table.id).toBe(id);
    expect(result.aqi).toBe(expectedAqi);
    expect(result.category.key).toBe(expectedCategory);
  });
});

describe('above the top breakpoint', () => {
  it.each([
    ['us', '2025-06-01T12:00:00Z', 325.4, false],
    ['us', '2025-06-01T12:00:00Z', 325.5, true],
    ['tw', '2025-06-01T12:00:00+08:00', 500.4, false],
    ['tw', '2025-06-01T12:00:00+08:00', 500.5, true],
  ] as const)('%s at %s: %s µg/m³ aboveScale=%s', (scale, at, pm25UgM3, above) => {
    const result = aqiFromPm25(pm25UgM3, { scale, at: new Date(at) });
    expect(result.aboveScale).toBe(above);
    expect(result.aqi).toBe(500);
  });

  it('reports the concentration it read the table with', () => {
    const us = aqiFromPm25(35.49, { scale: 'us', at: new Date('2025-06-01T00:00:00Z') });
    const tw = aqiFromPm25(35.45, { scale: 'tw', at: new Date('2020-06-01T00:00:00Z') });
    expect(us.concentrationUgM3).toBe(35.4);
    expect(tw.concentrationUgM3).toBe(35.5);
  });
});
