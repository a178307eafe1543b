import { CalibrationError } from './errors.ts';
import { METHODS, methodById } from './models/index.ts';
import type { ModelMetrics } from './registry.ts';
import type { Method, Pair, Profile } from './types.ts';
import {
  evaluateProfile,
  groupBySite,
  leaveOneSiteOut,
  pickMethod,
  type LosoResult,
  type Metrics,
  type Pick,
} from './validate.ts';

export interface Selection {
  method: Method;
  /** The picked method fitted on every pair. */
  profile: Profile;
  pick: Pick;
  metrics: ModelMetrics;
}

/** Share of a single site's window (its end) held out to score the methods. */
export const HOLDOUT_FRACTION = 1 / 3;

function orNull<T>(run: () => T): T | null {
  try {
    return run();
  } catch (e) {
    if (e instanceof CalibrationError) return null;
    throw e;
  }
}

/**
 * One site: fit on the first two thirds of the window, score on the last third. The split
 * is in time, not random, because neighbouring hours are correlated; scoring on the latest
 * hours also asks what matters here: does the model hold for the hours that come next.
 * The scores take the place of pooled LOSO metrics in the pick rule.
 */
function holdoutScores(method: Method, pairs: readonly Pair[]): LosoResult | null {
  const byTime = [...pairs].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const cut = Math.floor(byTime.length * (1 - HOLDOUT_FRACTION));
  return orNull(() => {
    const scored = evaluateProfile(method.fit(byTime.slice(0, cut)), byTime.slice(cut));
    return {
      method: method.id,
      folds: [],
      pooled: scored.metrics,
      uncalibrated: scored.uncalibrated,
    };
  });
}

/**
 * Picks a method for `pairs` by validate.ts's rule (EPA targets met, lowest out-of-sample
 * RMSE, else the EPA nationwide correction), scored by leave-one-site-out when the pairs
 * come from 2 or more sites and by a time holdout when from one, then fits it on all pairs.
 */
export function selectAndFit(pairs: readonly Pair[], methods: readonly Method[] = METHODS) {
  const loso = groupBySite(pairs).size >= 2;
  const candidates = methods.map((m) => ({
    id: m.id,
    loso: loso ? orNull(() => leaveOneSiteOut(m, pairs)) : holdoutScores(m, pairs),
  }));
  const pick = pickMethod(
    candidates,
    undefined,
    loso ? undefined : 'time-holdout (last third of the window)',
  );
  const method = methods.find((m) => m.id === pick.id) ?? methodById(pick.id);
  if (method === undefined) throw new Error(`pickMethod returned unknown method ${pick.id}`);
  const profile = method.fit(pairs);
  const validated: Metrics | null = candidates.find((c) => c.id === pick.id)?.loso?.pooled ?? null;
  const metrics: ModelMetrics = {
    validation: validated === null ? 'none' : loso ? 'leave-one-site-out' : 'holdout-last-third',
    validated,
    training: orNull(() => evaluateProfile(profile, pairs).metrics),
  };
  return { method, profile, pick, metrics } satisfies Selection;
}
