import { assertFitInput, leastSquares } from '../linalg.ts';
import type { Method, Pair, Profile } from '../types.ts';
import { columnsOf, makeProfile, requireParams } from './profile.ts';

const LINEAR_ID = 'linear@1';
const MULTILINEAR_ID = 'multilinear@1';

function linearProfile(params: Readonly<Record<string, number>>): Profile {
  const { slope, interceptUgM3 } = requireParams(LINEAR_ID, params, ['slope', 'interceptUgM3']);
  return makeProfile(LINEAR_ID, params, (x) => slope * x.rawPm25UgM3 + interceptUgM3);
}

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
    return linearProfile({ slope: coefficients[0] ?? NaN, interceptUgM3: intercept });
  },
  fromParams: linearProfile,
};

const MULTILINEAR_PARAMS = [
  'rawCoefficient',
  'rhCoefficient',
  'temperatureCoefficient',
  'interceptUgM3',
] as const;

function multilinearProfile(params: Readonly<Record<string, number>>): Profile {
  const p = requireParams(MULTILINEAR_ID, params, MULTILINEAR_PARAMS);
  return makeProfile(MULTILINEAR_ID, params, (x) =>
    x.rhPct === null || x.temperatureC === null
      ? null
      : p.rawCoefficient * x.rawPm25UgM3 +
        p.rhCoefficient * x.rhPct +
        p.temperatureCoefficient * x.temperatureC +
        p.interceptUgM3,
  );
}

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
    return multilinearProfile({
      rawCoefficient: a,
      rhCoefficient: b,
      temperatureCoefficient: c,
      interceptUgM3: fit.intercept,
    });
  },
  fromParams: multilinearProfile,
};
