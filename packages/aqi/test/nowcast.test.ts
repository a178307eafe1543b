import { describe, expect, it } from 'vitest';
import { AqiRangeError, aqiFromPm25, nowCastPm25 } from '../src/index.ts';

// Hourly PM2.5 in µg/m³, most recent first. Expected values worked by hand from EPA's steps
// (w = max(cmin / cmax, 0.5); Σ wⁱ·cᵢ / Σ wⁱ; truncate to 0.1) and checked with exact
// fractions. No EPA-published numeric example was found to copy (see README).
const CASES: readonly [name: string, hourlyUgM3: readonly (number | null)[], nowCast: number][] = [
  ['steady air: w = 1, the plain 12-hour mean', Array<number>(12).fill(10), 10],
  // Wikipedia's NowCast article: zero all day, one hour at 71 µg/m³. w = 0/71 → 0.5, and the
  // NowCast right after the pulse is 71 / (1 + ½ + … + ½¹¹) = 35.508…
  ['a one-hour pulse of 71, just measured', [71, ...Array<number>(11).fill(0)], 35.5],
  ['the same pulse an hour later', [0, 71, ...Array<number>(10).fill(0)], 17.7],
  // A jump from 10 to 20: w = 0.5; (20 + 10 · Σ½ⁱ, i = 1…11) / Σ½ⁱ, i = 0…11 = 15.0012…
  ['a jump from 10 to 20 in the last hour', [20, ...Array<number>(11).fill(10)], 15],
  // w = 8/10 = 0.8, between the floor and 1: (10 · Σ0.8ⁱ, i < 6 + 8 · Σ0.8ⁱ, i ≥ 6) / Σ0.8ⁱ = 9.5846…
  ['slowly rising from 8 to 10', [...Array<number>(6).fill(10), ...Array<number>(6).fill(8)], 9.5],
  // w = 10/12; (10w + 12w²) / (w + w²) = 10.909…: missing hours drop out of both sums.
  ['the latest hour missing, 2 of 3 present', [null, 10, 12], 10.9],
  ['only two hours of history', [10, 10], 10],
  ['clean air', Array<number>(12).fill(0), 0],
];

describe('nowCastPm25', () => {
  it.each(CASES)('%s', (_name, hourlyUgM3, expected) => {
    expect(nowCastPm25(hourlyUgM3)).toBe(expected);
  });

  it.each([
    ['two of the last three hours missing', [null, 10, null, 10, 10]],
    ['one hour of history', [10]],
    ['no history', []],
    ['the three most recent hours missing', [null, null, null, 10, 10, 10]],
  ] as const)('is null with %s', (_name, hourlyUgM3) => {
    expect(nowCastPm25(hourlyUgM3)).toBeNull();
  });

  it('refuses more than 12 hours', () => {
    const call = (): unknown => nowCastPm25(Array<number>(13).fill(10));
    expect(call).toThrow(RangeError);
    expect(call).toThrow(/at most 12 hourly values, got 13/);
    expect(call).toThrow(expect.objectContaining({ code: 'too-many-hours' }));
  });

  it.each([
    [-1, /-1 µg\/m³ \(1 h ago\) is negative or not finite/],
    [Number.NaN, /NaN µg\/m³ \(1 h ago\)/],
    [Number.POSITIVE_INFINITY, /Infinity µg\/m³ \(1 h ago\)/],
  ])('refuses an hourly value of %s', (bad, message) => {
    const call = (): unknown => nowCastPm25([10, bad, 10]);
    expect(call).toThrow(AqiRangeError);
    expect(call).toThrow(message);
  });
});

describe('the README example', () => {
  it('still runs: a NowCast of 27.8 µg/m³ is Moderate (93) on the 2025 Taiwan table', () => {
    const nowCast = nowCastPm25([31.2, 28.0, 25.4, 22.1, null, 20.3]);
    expect(nowCast).toBe(27.8);
    const result = aqiFromPm25(27.8, { scale: 'tw', at: new Date('2025-06-01') });
    expect(result.aqi).toBe(93);
    expect(result.category.name.zhTw).toBe('普通');
    expect(result.category.outdoorActivity).toBe('fine');
  });
});
