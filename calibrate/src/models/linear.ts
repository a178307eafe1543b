import { assertFitInput, leastSquares } from '../linalg.ts';
import type { Method, Pair, Profile } from '../types.ts';
import { columnsOf, makeProfile } from './profile.ts';

const LINEAR_ID = 'linear@1';
const MULTILINEAR_ID = 'multilinear@1';

/** Ordinary least squares, ref = a · raw + b: the local fit every evaluation starts from. */
export const linear: Method = {
  id: LINEAR_ID,
  name: 'Linear (ordinary least squares)',
  source: 'ref = a · raw + b; ordinary least squares',
  fitted: true,
  fit(pairs: readonly Pair[]): Profile {
    const { raw, ref } = columnsOf(pairs, {});
    assertFitInput(LINEAR_ID, { raw_pm25: raw }, ref, 2);
    const { coefficients, intercept } = leastSquares(LINEAR_ID, [raw], ref);
    const slope = coefficients[0] ?? NaN;
    return makeProfile(
      LINEAR_ID,
      { slope, interceptUgM3: intercept },
      (x) => slope * x.rawPm25UgM3 + intercept,
    );
  },
};

/**
 * ref = a · raw + b · RH + c · T + d. Barkjohn et al. 2021 found the RH term removes most of
 * the regional differences in bias; temperature is the usual third term (e.g. Ardon-Dryer
 * et al. 2020, AMT 13:5441, multivariate linear regression with T and RH).
 */
export const multilinear: Method = {
  id: MULTILINEAR_ID,
  name: 'Multilinear with RH and temperature',
  source: 'ref = a · raw + b · RH + c · T + d; ordinary least squares',
  fitted: true,
  fit(pairs: readonly Pair[]): Profile {
    const { raw, rh, temperature, ref } = columnsOf(pairs, { rh: true, temperature: true });
    const predictors = { raw_pm25: raw, rh, temperature_c: temperature };
    assertFitInput(MULTILINEAR_ID, predictors, ref, 4);
    const fit = leastSquares(MULTILINEAR_ID, [raw, rh, temperature], ref);
    const [a = NaN, b = NaN, c = NaN] = fit.coefficients;
    const d = fit.intercept;
    return makeProfile(
      MULTILINEAR_ID,
      { rawCoefficient: a, rhCoefficient: b, temperatureCoefficient: c, interceptUgM3: d },
      (x) =>
        x.rhPct === null || x.temperatureC === null
          ? null
          : a * x.rawPm25UgM3 + b * x.rhPct + c * x.temperatureC + d,
    );
  },
};
