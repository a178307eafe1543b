import { CalibrationError } from '../errors.ts';
import { assertFitInput, leastSquares, type LinearFit } from '../linalg.ts';
import { median } from '../stats.ts';
import type { Method, Pair, Profile } from '../types.ts';
import { columnsOf, makeProfile, requireParams } from './profile.ts';

const ID = 'huber-linear@1';

// Huber 1964 loss; k = 1.345 σ keeps 95 % efficiency for normal errors (Holland & Welsch
// 1977). σ is re-estimated each iteration as MAD / 0.6745, the normal-consistent MAD.
export const HUBER_K = 1.345;
const MAD_TO_SIGMA = 0.6745;
const MAX_ITERATIONS = 200;
const TOLERANCE = 1e-10;

/**
 * Iteratively reweighted least squares from the OLS start. σ has a floor so that an exact
 * fit of the majority (MAD = 0) down-weights the rest instead of dividing by zero.
 */
function irls(id: string, raw: number[], ref: number[]) {
  const floorUgM3 = 1e-12 * (1 + ref.reduce((s, v) => s + Math.abs(v), 0) / ref.length);
  let fit: LinearFit = leastSquares(id, [raw], ref);
  for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
    const slope = fit.coefficients[0] ?? NaN;
    const residuals = ref.map((y, i) => y - slope * (raw[i] ?? 0) - fit.intercept);
    const sigma = Math.max(median(residuals.map(Math.abs)) / MAD_TO_SIGMA, floorUgM3);
    const weights = residuals.map((r) => Math.min(1, (HUBER_K * sigma) / Math.abs(r)));
    const next = leastSquares(id, [raw], ref, weights);
    const nextSlope = next.coefficients[0] ?? NaN;
    const change = Math.max(
      Math.abs(nextSlope - slope) / (1 + Math.abs(slope)),
      Math.abs(next.intercept - fit.intercept) / (1 + Math.abs(fit.intercept)),
    );
    fit = next;
    if (change < TOLERANCE) return { fit, sigma, iteration };
  }
  throw new CalibrationError(
    'no-convergence',
    `${id}: the Huber fit did not settle in ${MAX_ITERATIONS} iterations; ` +
      'the data may have no clear linear majority — use linear@1 or inspect the pairs',
  );
}

// The scale and k are kept for the record; the equation needs only the line.
function huberProfile(params: Readonly<Record<string, number>>): Profile {
  const { slope, interceptUgM3 } = requireParams(ID, params, ['slope', 'interceptUgM3']);
  return makeProfile(ID, params, (x) => slope * x.rawPm25UgM3 + interceptUgM3);
}

/** The linear model fitted robustly: a few wrong reference days do not tilt the line. */
export const huberLinear: Method = {
  id: ID,
  name: 'Linear, robust Huber fit (IRLS)',
  source: 'Huber 1964, Ann. Math. Stat. 35:73; k = 1.345 (Holland & Welsch 1977)',
  fitted: true,
  fit(pairs: readonly Pair[]): Profile {
    const { raw, ref } = columnsOf(pairs, {});
    assertFitInput(ID, { raw_pm25: raw }, ref, 2);
    const { fit, sigma } = irls(ID, raw, ref);
    return huberProfile({
      slope: fit.coefficients[0] ?? NaN,
      interceptUgM3: fit.intercept,
      huberK: HUBER_K,
      scaleUgM3: sigma,
    });
  },
  fromParams: huberProfile,
};
