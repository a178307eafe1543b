/**
 * The health engine: every box's series and its neighbours' in, every box's health out.
 * Detectors are a list of named stages; the fast ones look at the latest hours and run on
 * every evaluation, the slow ones (drift, indoor-like) need days and run less often, their
 * findings carried between runs by the caller.
 */
import {
  HEALTH_PROBLEMS,
  type BoxHealth,
  type HealthProblem,
  type HealthProblemCode,
} from '@airbox/contracts';
import { boxContext, lastReported, type BoxContext } from './context.ts';
import { driftFinding, solveDrift } from './detectors/drift.ts';
import type { Detector, Finding } from './detectors/finding.ts';
import { detectFog } from './detectors/fog.ts';
import { detectIndoor } from './detectors/indoor.ts';
import { detectMoved } from './detectors/moved.ts';
import { detectOutlier, detectSpikes } from './detectors/outlier.ts';
import { detectStuck } from './detectors/stuck.ts';
import { detectZero } from './detectors/zero.ts';
import { findNeighbours, NEIGHBOUR_DEFAULTS, type NeighbourOptions } from './neighbours.ts';
import { gridEndMs, HOUR_MS, type BoxSeries, type HourGrid, type StationSeries } from './series.ts';

export const FAST_DETECTORS: readonly Detector[] = [
  detectZero,
  detectStuck,
  detectSpikes,
  detectOutlier,
  detectFog,
  detectMoved,
];
/** Drift is solved over the whole network after these (solveDrift), not box by box. */
export const SLOW_DETECTORS: readonly Detector[] = [detectIndoor];
export const SLOW_CODES: readonly HealthProblemCode[] = ['drift', 'indoor-like'];

export const HEALTH_RULES = {
  /** No readings in this many latest hours: the box is `unknown`. */
  staleHours: 3,
  /** A box no neighbour check could reach is trusted this much at best. */
  uncheckedConfidence: 0.8,
  unknownConfidence: 0.5,
} as const;

export interface HealthInput {
  grid: HourGrid;
  boxes: readonly BoxSeries[];
  stations?: readonly StationSeries[];
}

export interface HealthOptions {
  /** Run the slow detectors too (the grid should then span SLOW_WINDOW_HOURS). */
  slow: boolean;
  /** The slow problems of the last slow run, by box, kept on a fast run. */
  carried?: ReadonlyMap<string, readonly HealthProblem[]>;
  neighbours?: NeighbourOptions;
}

export interface DeviceHealth {
  deviceId: string;
  health: BoxHealth;
}

/** Judges every box of the input. */
export function evaluateHealth(input: HealthInput, options: HealthOptions): DeviceHealth[] {
  const { grid, boxes } = input;
  const neighbours = findNeighbours(boxes, options.neighbours ?? NEIGHBOUR_DEFAULTS);
  const detectors = options.slow ? [...FAST_DETECTORS, ...SLOW_DETECTORS] : FAST_DETECTORS;
  const scratch = new Float64Array(Math.max(64, boxes.length));
  const judged = boxes.map((_, i) => {
    const ring = neighbours[i] ?? { indexes: [], ringM: null };
    const c = boxContext(grid, boxes, i, ring, input.stations ?? [], scratch);
    return { c, findings: detectors.flatMap((detect) => detect(c) ?? []) };
  });
  if (options.slow) {
    // Boxes already known to be indoors or broken would only blur their neighbours' drift.
    const excluded = new Set(
      judged.flatMap(({ findings }, i) => (findings.some((f) => f.code !== 'fog') ? [i] : [])),
    );
    const drift = solveDrift(boxes, neighbours, grid.hours, excluded);
    judged.forEach(({ findings }, i) => {
      const found = driftFinding(drift, i, grid.hours);
      if (found !== null) findings.push(found);
    });
  }
  return judged.map(({ c, findings }) => {
    const carried = options.slow ? [] : (options.carried?.get(c.box.deviceId) ?? []);
    return { deviceId: c.box.deviceId, health: healthOf(c, findings, carried) };
  });
}

function problemOf(grid: HourGrid, f: Finding): HealthProblem {
  return {
    code: f.code,
    since: new Date(grid.startMs + f.sinceHour * HOUR_MS).toISOString(),
    detail: f.detail,
  };
}

/** Status and confidence from the problems found, and from how much there was to judge. */
export function healthOf(
  c: BoxContext,
  findings: readonly Finding[],
  carried: readonly HealthProblem[],
): BoxHealth {
  const evaluatedAt = new Date(gridEndMs(c.grid)).toISOString();
  const last = lastReported(c.box.count);
  if (last < 0 || c.grid.hours - 1 - last >= HEALTH_RULES.staleHours) {
    return {
      status: 'unknown',
      confidence: HEALTH_RULES.unknownConfidence,
      problems: [],
      evaluatedAt,
    };
  }
  const problems = [
    ...findings.map((f) => problemOf(c.grid, f)),
    ...carried.filter((p) => !findings.some((f) => f.code === p.code)),
  ];
  let confidence = c.ringM === null ? HEALTH_RULES.uncheckedConfidence : 1;
  for (const p of problems) confidence *= HEALTH_PROBLEMS[p.code].confidenceFactor;
  const severities = problems.map((p) => HEALTH_PROBLEMS[p.code].severity);
  const status = severities.includes('faulty')
    ? 'faulty'
    : severities.length > 0
      ? 'suspect'
      : 'ok';
  return { status, confidence: Math.round(confidence * 100) / 100, problems, evaluatedAt };
}

/** The slow problems of a run's result, by box: what the next fast runs carry. */
export function slowProblems(results: readonly DeviceHealth[]): Map<string, HealthProblem[]> {
  const out = new Map<string, HealthProblem[]>();
  for (const { deviceId, health } of results) {
    const slow = health.problems.filter((p) => SLOW_CODES.includes(p.code));
    if (slow.length > 0) out.set(deviceId, slow);
  }
  return out;
}
