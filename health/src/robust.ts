/** Robust statistics on small samples: median, MAD, Theil–Sen slope, correlation. */

/** Median of the first `n` values of `scratch` (reordered in place); NaN when n = 0. */
export function medianOf(scratch: Float64Array, n: number): number {
  if (n === 0) return NaN;
  const view = scratch.subarray(0, n).sort();
  const mid = n >> 1;
  return n % 2 === 1 ? (view[mid] ?? NaN) : ((view[mid - 1] ?? NaN) + (view[mid] ?? NaN)) / 2;
}

/**
 * Median absolute deviation of the first `n` values around `median` (reorders `scratch`).
 * × 1.4826 estimates the standard deviation of normal data (Rousseeuw & Croux 1993).
 */
export function madOf(scratch: Float64Array, n: number, median: number): number {
  for (let i = 0; i < n; i++) scratch[i] = Math.abs((scratch[i] ?? 0) - median);
  return medianOf(scratch, n);
}

export const MAD_TO_SD = 1.4826;

/** Theil–Sen slope of (x, y) pairs: the median of pairwise slopes (Sen 1968). */
export function theilSenSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = (xs[j] ?? 0) - (xs[i] ?? 0);
      if (dx !== 0) slopes.push(((ys[j] ?? 0) - (ys[i] ?? 0)) / dx);
    }
  }
  if (slopes.length === 0) return NaN;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1
    ? (slopes[mid] ?? NaN)
    : ((slopes[mid - 1] ?? NaN) + (slopes[mid] ?? NaN)) / 2;
}

/** Pearson correlation over the indexes where both are finite; NaN below `minPairs`. */
export function correlation(a: Float64Array, b: Float64Array, minPairs: number): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? NaN;
    const y = b[i] ?? NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    n++;
    sa += x;
    sb += y;
    saa += x * x;
    sbb += y * y;
    sab += x * y;
  }
  if (n < minPairs) return NaN;
  const cov = sab - (sa * sb) / n;
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : NaN;
}
