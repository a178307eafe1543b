import { CalibrationError } from './errors.ts';
import type { PairFile } from './formats.ts';
import { METHODS } from './models/index.ts';
import type { Method, Pair } from './types.ts';
import {
  checkTargets,
  EPA_PM25_TARGETS,
  evaluateProfile,
  leaveOneSiteOut,
  pickMethod,
  type Fold,
  type Metrics,
  type LosoResult,
  type Pick,
} from './validate.ts';

export interface Scored {
  metrics: Metrics;
  /** Pairs the model could not calibrate (an input it needs was missing). */
  uncalibrated: number;
  meetsTargets: boolean;
  failedTargets: string[];
}

export interface MethodReport {
  id: string;
  name: string;
  source: string;
  fitted: boolean;
  /** Parameters fitted on the whole train file (the published constants when not fitted). */
  params?: Readonly<Record<string, number>>;
  /** The train-fitted model on the test file. */
  test?: Scored;
  /** Leave-one-site-out on the train file. */
  loso?: Scored & { folds: Fold[] };
  /** A stage that could not run, and why; the other stages still report. */
  errors?: { stage: 'fit' | 'loso'; code: string; message: string }[];
  /**
   * With `{ predictions: true }`: the train-fitted model's value for each test pair, in the
   * order of `EvalReport.testPairs`; null where it could not calibrate the pair.
   */
  testCalibratedUgM3?: (number | null)[];
}

export interface FileSummary {
  file: string;
  format: string;
  pairs: number;
  rows: number;
  skippedRows: number;
  sites: number;
}

export interface EvalReport {
  train: FileSummary;
  test: FileSummary;
  targets: typeof EPA_PM25_TARGETS;
  methods: MethodReport[];
  picked: Pick;
  /** With `{ predictions: true }`: the test pairs, for plots (calibrate/src/report). */
  testPairs?: Pair[];
}

export interface EvalOptions {
  /**
   * Keep the test pairs and every method's value for each (for the HTML report's plots).
   * Off by default, so `airbox calibrate eval`'s JSON stays one summary per method.
   */
  predictions?: boolean;
}

function summary(f: PairFile): FileSummary {
  return {
    file: f.source,
    format: f.format,
    pairs: f.pairs.length,
    rows: f.rows,
    skippedRows: f.skippedRows,
    sites: f.sites.length,
  };
}

function scored(metrics: Metrics, uncalibrated: number): Scored {
  const check = checkTargets(metrics);
  return { metrics, uncalibrated, meetsTargets: check.met, failedTargets: check.failed };
}

/** Runs `stage`, turning a CalibrationError into a reported error of that stage. */
function attempt<T>(report: MethodReport, stage: 'fit' | 'loso', run: () => T): T | null {
  try {
    return run();
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    (report.errors ??= []).push({ stage, code: e.code, message: e.message });
    return null;
  }
}

function evaluateMethod(method: Method, train: PairFile, test: PairFile, options: EvalOptions) {
  const report: MethodReport = {
    id: method.id,
    name: method.name,
    source: method.source,
    fitted: method.fitted,
  };
  const tested = attempt(report, 'fit', () => {
    const profile = method.fit(train.pairs);
    report.params = profile.params;
    if (options.predictions) report.testCalibratedUgM3 = test.pairs.map((p) => profile.predict(p));
    return evaluateProfile(profile, test.pairs);
  });
  if (tested) report.test = scored(tested.metrics, tested.uncalibrated);
  const loso: LosoResult | null = attempt(report, 'loso', () =>
    leaveOneSiteOut(method, train.pairs),
  );
  if (loso) report.loso = { ...scored(loso.pooled, loso.uncalibrated), folds: loso.folds };
  return { report, loso };
}

/**
 * Fits every method on `train`, scores it on `test` and by leave-one-site-out on `train`,
 * and picks one by the rule in validate.ts (which looks at LOSO only, never at `test`).
 */
export function evaluate(
  train: PairFile,
  test: PairFile,
  methods: readonly Method[] = METHODS,
  options: EvalOptions = {},
): EvalReport {
  const results = methods.map((m) => evaluateMethod(m, train, test, options));
  const report: EvalReport = {
    train: summary(train),
    test: summary(test),
    targets: EPA_PM25_TARGETS,
    methods: results.map((r) => r.report),
    picked: pickMethod(results.map((r) => ({ id: r.report.id, loso: r.loso }))),
  };
  if (options.predictions) report.testPairs = test.pairs;
  return report;
}

/** JSON with 6 significant digits: more than any PM2.5 measurement carries. */
export function reportJson(report: EvalReport): string {
  return JSON.stringify(report, (_key, value: unknown) =>
    typeof value === 'number' && Number.isFinite(value) ? Number(value.toPrecision(6)) : value,
  );
}
