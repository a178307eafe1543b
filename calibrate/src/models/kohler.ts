import { CalibrationError } from '../errors.ts';
import { assertFitInput } from '../linalg.ts';
import type { Method, Pair, Profile } from '../types.ts';
import { columnsOf, makeProfile, requireParams } from './profile.ts';

const ID = 'kohler-linear@1';

// κ-Köhler growth of the particles an optical sensor sizes while they are wet:
//   raw = dry · (1 + κ · aw / (1 − aw)),  aw = RH / 100
// Crilley et al. 2018, AMT 11:709 (after Petters & Kreidenweis 2007, ACP 7:1961); the same
// form is Model 2 of Nilson et al. 2022, AMT 15:3315 (PM / (1 + κ / (100/RH − 1))).
// The growth term diverges at saturation, so RH is capped at 99 %.
export const KOHLER_RH_CAP_PCT = 99;
// Hygroscopicity of ambient aerosol is ~0.1–0.7 (Petters & Kreidenweis 2007; NaCl ≈ 1.3);
// the search covers that with room to spare and never goes negative (shrinking when wet).
export const KAPPA_RANGE = { min: 0, max: 2, gridStep: 0.01 } as const;
const GOLDEN_TOLERANCE = 1e-8;

export function growthFactor(kappa: number, rhPct: number): number {
  const aw = Math.min(Math.max(rhPct, 0), KOHLER_RH_CAP_PCT) / 100;
  return 1 + (kappa * aw) / (1 - aw);
}

/**
 * The pairs as the κ search reads them: aw / (1 − aw) per pair computed once, and a buffer
 * for the dry values, so each κ tried costs three passes and no allocation.
 */
function kohlerData(raw: readonly number[], rh: readonly number[], ref: readonly number[]) {
  const n = raw.length;
  const wetness = new Float64Array(n);
  let ySum = 0;
  let rawSum = 0;
  for (let i = 0; i < n; i++) {
    const aw = Math.min(Math.max(rh[i] ?? 0, 0), KOHLER_RH_CAP_PCT) / 100;
    wetness[i] = aw / (1 - aw);
    ySum += ref[i] ?? 0;
    rawSum += raw[i] ?? 0;
  }
  const dry = new Float64Array(n);
  return { raw, ref, wetness, dry, yMean: ySum / n, rawMean: rawSum / n };
}
type KohlerData = ReturnType<typeof kohlerData>;

/** OLS of ref on raw / growth(κ) and its residual sum of squares. */
function sse(id: string, kappa: number, data: KohlerData) {
  const { raw, ref, wetness, dry, yMean } = data;
  const n = dry.length;
  let dSum = 0;
  for (let i = 0; i < n; i++) {
    const d = (raw[i] ?? 0) / (1 + kappa * (wetness[i] ?? 0));
    dry[i] = d;
    dSum += d;
  }
  const dMean = dSum / n;
  let sdd = 0;
  let sdy = 0;
  for (let i = 0; i < n; i++) {
    const dd = (dry[i] ?? 0) - dMean;
    sdd += dd * dd;
    sdy += dd * ((ref[i] ?? 0) - yMean);
  }
  if (!(sdd > 0)) {
    throw new CalibrationError(
      'singular-design',
      `${id}: the dry raw PM has no spread at κ = ${kappa}; the fit is undetermined`,
    );
  }
  const slope = sdy / sdd;
  const intercept = yMean - slope * dMean;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (slope * (dry[i] ?? 0) + intercept - (ref[i] ?? 0)) ** 2;
  return { sum, slope, intercept };
}

/**
 * The residual sum of squares at κ in one pass, from sums about the raw values' and the
 * reference's means (shifted, so the cancellation of Σd² − (Σd)²/n stays small): enough
 * to rank the grid's points; the golden-section steps use sse()'s exact residuals.
 */
function gridSse(kappa: number, data: KohlerData): number {
  const { raw, ref, wetness, yMean, rawMean } = data;
  const n = raw.length;
  let sd = 0;
  let sdd = 0;
  let sdy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const d = (raw[i] ?? 0) / (1 + kappa * (wetness[i] ?? 0)) - rawMean;
    const y = (ref[i] ?? 0) - yMean;
    sd += d;
    sdd += d * d;
    sdy += d * y;
    syy += y * y;
  }
  const cdd = sdd - (sd * sd) / n;
  // syy is already centred (Σy = 0 up to rounding).
  return cdd > 0 ? syy - (sdy * sdy) / cdd : Infinity;
}

/**
 * κ by a 1-D search: a grid first, because the error need not be unimodal in κ over the whole
 * range, then golden-section search inside the best grid cell (one new point per step).
 */
function searchKappa(id: string, data: KohlerData): number {
  const { min, max, gridStep } = KAPPA_RANGE;
  let best = min;
  let bestSse = Infinity;
  for (let k = min; k <= max + 1e-12; k += gridStep) {
    const s = gridSse(k, data);
    if (s < bestSse) [best, bestSse] = [k, s];
  }
  let lo = Math.max(min, best - gridStep);
  let hi = Math.min(max, best + gridStep);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = hi - ratio * (hi - lo);
  let d = lo + ratio * (hi - lo);
  let fc = sse(id, c, data).sum;
  let fd = sse(id, d, data).sum;
  while (hi - lo > GOLDEN_TOLERANCE) {
    if (fc < fd) {
      [hi, d, fd] = [d, c, fc];
      c = hi - ratio * (hi - lo);
      fc = sse(id, c, data).sum;
    } else {
      [lo, c, fc] = [c, d, fd];
      d = lo + ratio * (hi - lo);
      fd = sse(id, d, data).sum;
    }
  }
  return (lo + hi) / 2;
}

function kohlerProfile(params: Readonly<Record<string, number>>): Profile {
  const { kappa, slope, interceptUgM3 } = requireParams(ID, params, [
    'kappa',
    'slope',
    'interceptUgM3',
  ]);
  return makeProfile(ID, params, (x) =>
    x.rhPct === null
      ? null
      : (slope * x.rawPm25UgM3) / growthFactor(kappa, x.rhPct) + interceptUgM3,
  );
}

export const kohlerLinear: Method = {
  id: ID,
  name: 'κ-Köhler humidity correction, then linear',
  source: 'Crilley et al. 2018, AMT 11:709; Nilson et al. 2022, AMT 15:3315',
  fitted: true,
  fit(pairs: readonly Pair[]): Profile {
    const { raw, rh, ref } = columnsOf(pairs, { rh: true });
    assertFitInput(ID, { raw_pm25: raw, rh }, ref, 3);
    const data = kohlerData(raw, rh, ref);
    const kappa = searchKappa(ID, data);
    const { slope, intercept } = sse(ID, kappa, data);
    return kohlerProfile({ kappa, slope, interceptUgM3: intercept });
  },
  fromParams: kohlerProfile,
};
