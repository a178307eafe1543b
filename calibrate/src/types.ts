import type { Reading } from '@airbox/contracts';
import type { CalibrationError } from './errors.ts';

/**
 * One co-located pair: a sensor's mean and the reference monitor's mean over the same
 * averaging period (an hour or a day) at the same site.
 */
export interface Pair {
  /** The sensor (leave-one-site-out holds out one of these at a time). */
  site: string;
  /** Start of the averaging period as given in the file (ISO 8601 date or date-time). */
  time: string;
  /** Sensor PM2.5, Plantower CF=1, µg/m³ (mean of the A and B channels where there are two). */
  rawPm25UgM3: number;
  /** The sensor's own relative humidity, %, or null when it did not report one. */
  rhPct: number | null;
  temperatureC: number | null;
  /** Reference (FRM/FEM) PM2.5, µg/m³. */
  refPm25UgM3: number;
}

/** What a model reads: a pair without the reference, or a worker reading. */
export type ModelInput = Pick<Pair, 'rawPm25UgM3' | 'rhPct' | 'temperatureC'>;

/**
 * A usable model: the method's profile id plus the parameters it was fitted to (or its
 * published coefficients). `apply` has the worker's `CalibrationModel` shape.
 */
export interface Profile {
  /** `<method>@<version>`, e.g. `linear@1`; a new version whenever the maths changes. */
  id: string;
  params: Readonly<Record<string, number>>;
  /** Calibrated PM2.5 in µg/m³, or null when an input the model needs is missing. */
  predict(input: ModelInput): number | null;
  apply(reading: Reading): number | null;
}

export interface Method {
  id: string;
  name: string;
  /** Where the equation comes from. */
  source: string;
  /** False for published corrections: `fit` ignores the pairs and returns the constants. */
  fitted: boolean;
  /** Throws CalibrationError on degenerate input rather than returning a NaN model. */
  fit(pairs: readonly Pair[]): Profile;
  /**
   * Optional, for leave-one-site-out: what `fit` returns on `pairs` without each set of
   * sites in `excluded` — or the CalibrationError it throws — with the work the folds share
   * done once (κ-Köhler ranks its grid for every fold in one pass per κ).
   */
  fitFolds?(
    pairs: readonly Pair[],
    excluded: readonly ReadonlySet<string>[],
  ): (Profile | CalibrationError)[];
  /**
   * The profile `fit` returned, rebuilt from its `params` (e.g. read back from the model
   * registry): same predictions, bit for bit. Throws CalibrationError `bad-params` when a
   * parameter the equation needs is missing or not a finite number.
   */
  fromParams(params: Readonly<Record<string, number>>): Profile;
}
