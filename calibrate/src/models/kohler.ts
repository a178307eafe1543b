import { CalibrationError } from '../errors.ts';
import { assertFitInput } from '../linalg.ts';
import { KOHLER_RH_CAP_PCT } from './kohler-constants.ts';
import { gridBestByFold, kohlerData, refineKappa, searchKappa, sse } from './kohler-search.ts';
import type { Method, Pair, Profile } from '../types.ts';
import { columnsOf, makeProfile, requireParams } from './profile.ts';

const ID = 'kohler-linear@1';

export { KAPPA_RANGE, KOHLER_RH_CAP_PCT } from './kohler-constants.ts';

export function growthFactor(kappa: number, rhPct: number): number {
  const aw = Math.min(Math.max(rhPct, 0), KOHLER_RH_CAP_PCT) / 100;
  return 1 + (kappa * aw) / (1 - aw);
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

/** The fit on columns; `gridKappa`, when known (a fold's, from the shared grid), skips the grid. */
function fitFrom(raw: number[], rh: number[], ref: number[], gridKappa?: number): Profile {
  assertFitInput(ID, { raw_pm25: raw, rh }, ref, 3);
  const data = kohlerData(raw, rh, ref);
  const kappa = gridKappa === undefined ? searchKappa(ID, data) : refineKappa(ID, data, gridKappa);
  const { slope, intercept } = sse(ID, kappa, data);
  return kohlerProfile({ kappa, slope, interceptUgM3: intercept });
}

export const kohlerLinear: Method = {
  id: ID,
  name: 'κ-Köhler humidity correction, then linear',
  source: 'Crilley et al. 2018, AMT 11:709; Nilson et al. 2022, AMT 15:3315',
  fitted: true,
  fit(pairs: readonly Pair[]): Profile {
    const { raw, rh, ref } = columnsOf(pairs, { rh: true });
    return fitFrom(raw, rh, ref);
  },
  fitFolds(pairs: readonly Pair[], excluded: readonly ReadonlySet<string>[]) {
    const usable = pairs.filter((p) => p.rhPct !== null);
    const { raw, rh, ref } = columnsOf(usable, { rh: true });
    const foldOfSite = new Map<string, number>();
    excluded.forEach((sites, k) => sites.forEach((s) => foldOfSite.set(s, k)));
    const fold = Int32Array.from(usable, (p) => foldOfSite.get(p.site) ?? -1);
    const best = gridBestByFold(kohlerData(raw, rh, ref), fold, excluded.length);
    return excluded.map((_, k) => {
      const keep = (_v: number, i: number) => fold[i] !== k;
      try {
        return fitFrom(raw.filter(keep), rh.filter(keep), ref.filter(keep), best[k]);
      } catch (e) {
        if (e instanceof CalibrationError) return e;
        throw e;
      }
    });
  },
  fromParams: kohlerProfile,
};
