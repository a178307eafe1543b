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

interface HoldoutSplit {
  train: Pair[];
  test: Pair[];
}

/** The pairs in time order, cut once for every method (a sort parses each time). */
function splitInTime(pairs: readonly Pair[]): HoldoutSplit {
  const byTime = pairs
    .map((p) => ({ p, ms: Date.parse(p.time) }))
    .sort((a, b) => a.ms - b.ms)
    .map((t) => t.p);
  const cut = Math.floor(byTime.length * (1 - HOLDOUT_FRACTION));
  return { train: byTime.slice(0, cut), test: byTime.slice(cut) };
}

/**
 * One site: fit on the first two thirds of the window, score on the last third. The split
 * is in time, not random, because neighbouring hours are correlated; scoring on the latest
 * hours also asks what matters here: does the model hold for the hours that come next.
 * The scores take the place of pooled LOSO metrics in the pick rule.
 */
function holdoutScores(method: Method, split: HoldoutSplit): LosoResult | null {
  return orNull(() => {
    const scored = evaluateProfile(method.fit(split.train), split.test);
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
  const split = loso ? null : splitInTime(pairs);
  const candidates = methods.map((m) => ({
    id: m.id,
    loso: split === null ? orNull(() => leaveOneSiteOut(m, pairs)) : holdoutScores(m, split),
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
