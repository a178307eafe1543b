import { CalibrationError } from './errors.ts';
import type { Method, Pair, Profile } from './types.ts';
import { computeMetrics, predictPairs, type Metrics } from './validate.ts';

/**
 * Most folds leave-one-site-out makes. With one fold per site, a scope of N sites costs N
 * fits on (N − 1)/N of the pairs: quadratic in the fleet (a county of 200 boxes took over
 * 30 minutes). Grouped into at most 10 folds, each site is still predicted by a model that
 * never saw it, and the cost is 10 fits whatever N — as 10-fold group cross-validation is
 * commonly run (e.g. scikit-learn's GroupKFold; Hastie, Tibshirani & Friedman 2009, §7.10,
 * on K = 5 or 10). Up to 10 sites it is exactly leave-one-site-out.
 */
export const MAX_FOLDS = 10;

export interface Fold {
  site: string;
  n: number;
  /** Null when the held-out site alone is too small or flat for metrics (see `note`). */
  metrics: Metrics | null;
  note?: string;
}

export interface LosoResult {
  method: string;
  /** One per site, in the order the sites first appear; each scored by a model without it. */
  folds: Fold[];
  /** How many models were fitted: the sites held out together (≤ `MAX_FOLDS`). */
  groups?: number;
  /** Metrics over every held-out prediction of every fold together. */
  pooled: Metrics;
  uncalibrated: number;
}

export interface LosoOptions {
  /** Most folds (default `MAX_FOLDS`); more sites than this are held out in groups. */
  maxFolds?: number;
}

export function groupBySite(pairs: readonly Pair[]): Map<string, Pair[]> {
  const bySite = new Map<string, Pair[]>();
  for (const p of pairs) {
    const group = bySite.get(p.site);
    if (group) group.push(p);
    else bySite.set(p.site, [p]);
  }
  return bySite;
}

/**
 * The sites, in at most `maxFolds` groups of about equal pairs: the largest site first into
 * the group with the fewest pairs so far (ties: site id), so no fold's training set is
 * starved and the result does not depend on the order of the pairs.
 */
export function siteGroups(bySite: ReadonlyMap<string, readonly Pair[]>, maxFolds: number) {
  const sites = [...bySite.keys()];
  if (sites.length <= maxFolds) return sites.map((s) => [s]);
  const size = (s: string) => bySite.get(s)?.length ?? 0;
  sites.sort((a, b) => size(b) - size(a) || (a < b ? -1 : a > b ? 1 : 0));
  const groups = Array.from({ length: maxFolds }, () => ({ sites: [] as string[], n: 0 }));
  for (const site of sites) {
    let smallest = groups[0]!;
    for (const g of groups) if (g.n < smallest.n) smallest = g;
    smallest.sites.push(site);
    smallest.n += size(site);
  }
  return groups.map((g) => g.sites);
}

function checkFolds(method: Method, sites: number, maxFolds: number): void {
  if (sites < 2) {
    throw new CalibrationError(
      'too-few-sites',
      `${method.id}: leave-one-site-out needs at least 2 sites, got ${sites}; ` +
        'add pairs from another co-located sensor',
    );
  }
  if (!(Number.isInteger(maxFolds) && maxFolds >= 2)) {
    throw new CalibrationError('invalid-option', `maxFolds ${maxFolds} must be an integer ≥ 2`);
  }
}

/**
 * Leave-one-site-out cross-validation: each site is predicted by a model fitted without it,
 * which is how a model will meet a sensor it has never been co-located with. Beyond
 * `maxFolds` sites, the sites are held out in groups (see `MAX_FOLDS`).
 */
export function leaveOneSiteOut(
  method: Method,
  pairs: readonly Pair[],
  options: LosoOptions = {},
): LosoResult {
  const maxFolds = options.maxFolds ?? MAX_FOLDS;
  const bySite = groupBySite(pairs);
  checkFolds(method, bySite.size, maxFolds);
  const groups = siteGroups(bySite, maxFolds);
  const folds = new Map<string, Fold>();
  const predicted: number[] = [];
  const reference: number[] = [];
  let uncalibrated = 0;
  const profiles = foldProfiles(method, pairs, groups);
  for (const [g, held] of groups.entries()) {
    const profile = profiles[g]!;
    for (const site of held) {
      const fold = predictPairs(profile, bySite.get(site) ?? []);
      for (const v of fold.predictedUgM3) predicted.push(v);
      for (const v of fold.referenceUgM3) reference.push(v);
      uncalibrated += fold.uncalibrated;
      folds.set(site, foldMetrics(site, fold.predictedUgM3, fold.referenceUgM3));
    }
  }
  return {
    method: method.id,
    folds: [...bySite.keys()].flatMap((s) => folds.get(s) ?? []),
    groups: groups.length,
    pooled: computeMetrics(predicted, reference),
    uncalibrated,
  };
}

/** One profile per group, fitted without it; the first refused fold fails, named. */
function foldProfiles(method: Method, pairs: readonly Pair[], groups: string[][]): Profile[] {
  const excluded = groups.map((held) => new Set(held));
  const fits =
    method.fitFolds?.(pairs, excluded) ??
    excluded.map((out) => {
      try {
        return method.fit(pairs.filter((p) => !out.has(p.site)));
      } catch (e) {
        if (e instanceof CalibrationError) return e;
        throw e;
      }
    });
  return fits.map((fit, g) => {
    if (!(fit instanceof CalibrationError)) return fit;
    const held = groups[g] ?? [];
    const which = held.length === 1 ? `site ${held[0]}` : `${held.length} sites (${held[0]}, …)`;
    throw new CalibrationError(fit.code, `fold without ${which}: ${fit.message}`);
  });
}

function foldMetrics(site: string, predicted: number[], reference: number[]): Fold {
  try {
    return { site, n: reference.length, metrics: computeMetrics(predicted, reference) };
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    return { site, n: reference.length, metrics: null, note: e.message };
  }
}
