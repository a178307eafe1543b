import { assertFitInput, leastSquares } from '../linalg.ts';
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

function sse(id: string, kappa: number, raw: number[], rh: number[], ref: number[]) {
  const dry = raw.map((r, i) => r / growthFactor(kappa, rh[i] ?? 0));
  const fit = leastSquares(id, [dry], ref);
  const slope = fit.coefficients[0] ?? NaN;
  const sum = dry.reduce((s, d, i) => s + (slope * d + fit.intercept - (ref[i] ?? 0)) ** 2, 0);
  return { sum, slope, intercept: fit.intercept };
}

/**
 * κ by a 1-D search: a grid first, because the error need not be unimodal in κ over the whole
 * range, then golden-section search inside the best grid cell.
 */
function searchKappa(id: string, raw: number[], rh: number[], ref: number[]): number {
  const { min, max, gridStep } = KAPPA_RANGE;
  let best = min;
  let bestSse = Infinity;
  for (let k = min; k <= max + 1e-12; k += gridStep) {
    const s = sse(id, k, raw, rh, ref).sum;
    if (s < bestSse) [best, bestSse] = [k, s];
  }
  let lo = Math.max(min, best - gridStep);
  let hi = Math.min(max, best + gridStep);
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = hi - ratio * (hi - lo);
  let d = lo + ratio * (hi - lo);
  while (hi - lo > GOLDEN_TOLERANCE) {
    if (sse(id, c, raw, rh, ref).sum < sse(id, d, raw, rh, ref).sum) hi = d;
    else lo = c;
    c = hi - ratio * (hi - lo);
    d = lo + ratio * (hi - lo);
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
    const kappa = searchKappa(ID, raw, rh, ref);
    const { slope, intercept } = sse(ID, kappa, raw, rh, ref);
    return kohlerProfile({ kappa, slope, interceptUgM3: intercept });
  },
  fromParams: kohlerProfile,
};
