/**
 * Counter-based randomness: every random number is a hash of (seed, stream, keys), so a value
 * depends only on what it is for — box 17's noise at second 1 700 000 000 — never on how many
 * numbers were drawn before it. The runtime may then ask for any box at any time, in any
 * order, in real-time or fast mode, and a seed still reproduces the same world.
 *
 * The hash is MurmurHash3's 32-bit block step and finaliser (Appleby 2011, public domain)
 * over the integer keys: two multiplications a word, cheap enough for ~10 draws a reading.
 */

const TWO_32 = 4294967296;

/** MurmurHash3 fmix32: full avalanche of a 32-bit state. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One MurmurHash3 block step: mixes the 32-bit word k into the state h. */
function step(h: number, k: number): number {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  let y = h ^ x;
  y = (y << 13) | (y >>> 19);
  return (Math.imul(y, 5) + 0xe6546b64) | 0;
}

/**
 * Mixes an integer of any safe size (a time in ms, a seed): its low 32 bits always, its
 * high bits only when there are any, so small keys cost one step.
 */
function word(h: number, n: number): number {
  const lo = n | 0; // ToInt32: n mod 2^32, exact for any safe integer
  const hi = Math.floor(n / TWO_32);
  const s = step(h, lo);
  return hi === 0 ? s : step(s ^ 0x5bd1e995, hi | 0);
}

/** A stream id from its name (FNV-1a), so every use of randomness is named in the code. */
export function streamId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A 32-bit hash of (seed, stream, a, b, c); a, b, c are integers (negative is fine). */
export function hash(seed: number, stream: number, a = 0, b = 0, c = 0): number {
  let h = word(0x2545f491, seed);
  h = step(h, stream);
  h = word(h, a);
  h = word(h, b);
  h = word(h, c);
  return mix32(h);
}

/** Uniform in (0, 1), never exactly 0 or 1 (safe for log and inverse CDFs). */
export function uniform(seed: number, stream: number, a = 0, b = 0, c = 0): number {
  return (hash(seed, stream, a, b, c) + 0.5) / TWO_32;
}

/** Standard normal from one hash, by the inverse CDF (|z| reaches ~6.3). */
export function normal(seed: number, stream: number, a = 0, b = 0, c = 0): number {
  return inverseNormal(uniform(seed, stream, a, b, c));
}

/** A lognormal draw with the given MEAN (not median): mean · exp(σz − σ²/2). */
export function lognormalWithMean(meanValue: number, sigmaLog: number, z: number): number {
  return meanValue * Math.exp(sigmaLog * z - (sigmaLog * sigmaLog) / 2);
}

/**
 * Inverse standard normal CDF, Acklam's rational approximation (2003; relative error
 * < 1.2e-9), so that draws are normal in the tails too, not only near the mean.
 */
export function inverseNormal(u: number): number {
  const pLow = 0.02425;
  if (u < pLow) {
    const q = Math.sqrt(-2 * Math.log(u));
    return tailNumerator(q) / tailDenominator(q);
  }
  if (u > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - u));
    return -tailNumerator(q) / tailDenominator(q);
  }
  const q = u - 0.5;
  const r = q * q;
  return (
    ((((((-39.69683028665376 * r + 220.9460984245205) * r - 275.9285104469687) * r +
      138.357751867269) *
      r -
      30.66479806614716) *
      r +
      2.506628277459239) *
      q) /
    (((((-54.47609879822406 * r + 161.5858368580409) * r - 155.6989798598866) * r +
      66.80131188771972) *
      r -
      13.28068155288572) *
      r +
      1)
  );
}

function tailNumerator(q: number): number {
  return (
    ((((-0.007784894002430293 * q - 0.3223964580411365) * q - 2.400758277161838) * q -
      2.549732539343734) *
      q +
      4.374664141464968) *
      q +
    2.938163982698783
  );
}

function tailDenominator(q: number): number {
  return (
    (((0.007784695709041462 * q + 0.3224671290700398) * q + 2.445134137142996) * q +
      3.754408661907416) *
      q +
    1
  );
}

/**
 * Poisson count with mean `lambda` from one uniform: the inverse CDF, or the normal
 * approximation above λ = 200 where exp(−λ) would lose all precision.
 */
export function poissonFromUniform(lambda: number, u: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 200) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * inverseNormal(u)));
  let p = Math.exp(-lambda);
  let cdf = p;
  let k = 0;
  while (u > cdf && k < 1000) {
    k++;
    p *= lambda / k;
    cdf += p;
  }
  return k;
}

/** Picks an index from cumulative weights (ascending, last = total) with a uniform u. */
export function pickCumulative(cumulative: readonly number[], u: number): number {
  const target = u * (cumulative[cumulative.length - 1] ?? 0);
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
