/**
 * Precision and recall of the health engine against the simulator's truth. The engine runs
 * as serve runs it: fast detectors on the last 48 h every few hours, slow ones on the last
 * 14 days now and then. For each box and evaluation time the truth is read from the
 * world's fault windows and sensor profile:
 *
 * - a *positive* is a fault the detector can be asked to have found by then (stuck for the
 *   last 4 h, fan dead for the last 2 h, sensitivity changed ≥ 25 % across the window,
 *   indoors);
 * - a detection is *true* when the box had that fault at all in the detector's reach (stuck
 *   or dead within the last 2–3 h; drift ≥ 12 %): a fault that just began or just ended is
 *   neither a miss nor a false alarm. Those borders are reported as `excused`.
 */
import type { HealthProblemCode } from '@airbox/contracts';
import type { BoxSpec, SimWorld } from '@airbox/firmware-sim';
import { distanceM } from '@airbox/geo/distance';
import { DRIFT, evaluateHealth, HOUR_MS, SLOW_WINDOW_HOURS } from '@airbox/health';
import { sliceFleet, type SimFleet } from './sim-fleet.ts';

export const SCORED_CODES = ['stuck', 'zero', 'indoor-like', 'drift'] as const;
export type ScoredCode = (typeof SCORED_CODES)[number];

export const FAST_WINDOW_HOURS = 48;
const DAY_MS = 24 * HOUR_MS;

export interface CodeScore {
  tp: number;
  fp: number;
  fn: number;
  /** Of the misses, those the engine could not judge (drift: < DRIFT.minPairs boxes within DRIFT.maxPairM). */
  fnUnjudged: number;
  /** Recall over the positives it could judge. */
  recallJudged: number;
  /** Detections in the tolerance band, and positives missed in it: not counted. */
  excused: number;
  precision: number;
  recall: number;
}

export interface HealthScore {
  codes: Record<ScoredCode, CodeScore>;
  /** Other problems raised on boxes with no simulated fault at that time, by code. */
  otherOnClean: Partial<Record<HealthProblemCode, number>>;
  /** Box evaluations with no simulated fault, and the share of those left `ok`. */
  cleanEvaluations: number;
  cleanOkShare: number;
  evaluations: { fast: number; slow: number };
}

interface Truth {
  positive: boolean;
  any: boolean;
}

const overlaps = (
  w: SimWorld,
  b: BoxSpec,
  kind: 'stuck' | 'fan-failure',
  from: number,
  to: number,
) => w.windows(b, kind, from, to).length > 0;
const covers = (w: SimWorld, b: BoxSpec, kind: 'stuck' | 'fan-failure', from: number, to: number) =>
  w.windows(b, kind, from, to).some((win) => win.startMs <= from && win.endMs >= to);

function sensitivity(box: BoxSpec, startMs: number, atMs: number): number {
  const days = (atMs - startMs) / DAY_MS;
  return Math.max(0.1, 1 + (box.profile.driftPctPerDay / 100) * days);
}

export function truthOf(fleet: SimFleet, box: BoxSpec, code: ScoredCode, t: number): Truth {
  const w = fleet.world;
  switch (code) {
    case 'stuck':
      return {
        positive:
          covers(w, box, 'stuck', t - 4 * HOUR_MS, t) &&
          !overlaps(w, box, 'fan-failure', t - 4 * HOUR_MS, t),
        any: overlaps(w, box, 'stuck', t - 2 * HOUR_MS, t),
      };
    case 'zero':
      return {
        positive: covers(w, box, 'fan-failure', t - 2 * HOUR_MS, t),
        // A sensor stuck at 0 in clean air is dead too, as far as its readings go.
        any:
          overlaps(w, box, 'fan-failure', t - 3 * HOUR_MS, t) ||
          overlaps(w, box, 'stuck', t - 3 * HOUR_MS, t),
      };
    case 'indoor-like':
      return { positive: box.indoor, any: box.indoor };
    case 'drift': {
      const from = t - SLOW_WINDOW_HOURS * HOUR_MS;
      const change = Math.abs(
        sensitivity(box, fleet.startMs, t) / sensitivity(box, fleet.startMs, from) - 1,
      );
      return { positive: change >= 0.25, any: change >= 0.12 };
    }
  }
}

function emptyScore(): CodeScore {
  return {
    tp: 0,
    fp: 0,
    fn: 0,
    fnUnjudged: 0,
    excused: 0,
    precision: NaN,
    recall: NaN,
    recallJudged: NaN,
  };
}

function tally(score: CodeScore, truth: Truth, found: boolean, judged: boolean): void {
  if (found && truth.any) score.tp += truth.positive ? 1 : 0;
  if (found && truth.any && !truth.positive) score.excused++;
  if (found && !truth.any) score.fp++;
  if (!found && truth.positive) score.fn++;
  if (!found && truth.positive && !judged) score.fnUnjudged++;
}

/**
 * Which boxes the drift solution can judge: at least DRIFT.minPairs other outdoor boxes
 * within DRIFT.maxPairM (the engine's own rule; indoor ones are excluded once found, so the
 * simulator's indoor flag stands in for that).
 */
function driftJudgeable(fleet: SimFleet): boolean[] {
  const boxes = fleet.world.boxes;
  return boxes.map(
    (a) =>
      !a.indoor &&
      boxes.filter((b) => b !== a && !b.indoor && distanceM(a, b) <= DRIFT.maxPairM).length >=
        DRIFT.minPairs,
  );
}

/** Times (hour index of the fleet) the engine is run at, fast and slow. */
export function schedule(fleet: SimFleet, fastEveryHours: number, slowEveryHours: number) {
  const fast: number[] = [];
  for (let h = FAST_WINDOW_HOURS; h <= fleet.hours; h += fastEveryHours) fast.push(h);
  const slow: number[] = [];
  for (let h = fleet.hours; h >= SLOW_WINDOW_HOURS; h -= slowEveryHours) slow.unshift(h);
  return { fast, slow };
}

/** Runs the engine over the fleet at the scheduled times and scores it. */
export function scoreFleet(fleet: SimFleet, fastEveryHours = 3, slowEveryHours = 48): HealthScore {
  const codes = Object.fromEntries(SCORED_CODES.map((c) => [c, emptyScore()])) as Record<
    ScoredCode,
    CodeScore
  >;
  const otherOnClean: Partial<Record<HealthProblemCode, number>> = {};
  let clean = 0;
  let cleanOk = 0;
  const { fast, slow } = schedule(fleet, fastEveryHours, slowEveryHours);
  const judgeable = driftJudgeable(fleet);
  const run = (end: number, hours: number, isSlow: boolean, scored: readonly ScoredCode[]) => {
    const t = fleet.startMs + end * HOUR_MS;
    const results = evaluateHealth(sliceFleet(fleet, end - hours, end), { slow: isSlow });
    results.forEach(({ health }, i) => {
      const box = fleet.world.boxes[i];
      if (box === undefined) return;
      const found = new Set(health.problems.map((p) => p.code));
      const truths = scored.map((code) => [code, truthOf(fleet, box, code, t)] as const);
      for (const [code, truth] of truths) {
        tally(codes[code], truth, found.has(code), code !== 'drift' || judgeable[i] === true);
      }
      if (isSlow || truths.some(([, truth]) => truth.any) || box.indoor) return;
      clean++;
      if (health.status === 'ok') cleanOk++;
      for (const code of found) otherOnClean[code] = (otherOnClean[code] ?? 0) + 1;
    });
  };
  for (const end of fast) run(end, FAST_WINDOW_HOURS, false, ['stuck', 'zero']);
  for (const end of slow) run(end, SLOW_WINDOW_HOURS, true, ['indoor-like', 'drift']);
  for (const s of Object.values(codes)) finish(s);
  return {
    codes,
    otherOnClean,
    cleanEvaluations: clean,
    cleanOkShare: clean > 0 ? cleanOk / clean : NaN,
    evaluations: { fast: fast.length, slow: slow.length },
  };
}

export function finish(s: CodeScore): CodeScore {
  s.precision = s.tp + s.fp > 0 ? s.tp / (s.tp + s.fp) : NaN;
  s.recall = s.tp + s.fn > 0 ? s.tp / (s.tp + s.fn) : NaN;
  const judged = s.tp + s.fn - s.fnUnjudged;
  s.recallJudged = judged > 0 ? s.tp / judged : NaN;
  return s;
}

/** Sums the scores of several fleets (seeds). */
export function addScores(into: HealthScore, more: HealthScore): HealthScore {
  for (const code of SCORED_CODES) {
    const a = into.codes[code];
    const b = more.codes[code];
    a.tp += b.tp;
    a.fp += b.fp;
    a.fn += b.fn;
    a.fnUnjudged += b.fnUnjudged;
    a.excused += b.excused;
    finish(a);
  }
  for (const [code, n] of Object.entries(more.otherOnClean) as [HealthProblemCode, number][]) {
    into.otherOnClean[code] = (into.otherOnClean[code] ?? 0) + n;
  }
  const ok = into.cleanOkShare * into.cleanEvaluations + more.cleanOkShare * more.cleanEvaluations;
  into.cleanEvaluations += more.cleanEvaluations;
  into.cleanOkShare = into.cleanEvaluations > 0 ? ok / into.cleanEvaluations : NaN;
  into.evaluations.fast += more.evaluations.fast;
  into.evaluations.slow += more.evaluations.slow;
  return into;
}
