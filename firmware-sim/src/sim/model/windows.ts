/**
 * Random windows in time — Wi-Fi outages, fan failures, stuck values — as a Poisson process
 * per box, without state: time is cut into bins as long as the longest window, and the
 * events starting in a bin are a function of (seed, process, box, bin). Whether a moment
 * is inside a window therefore needs only its own bin and the one before, and any moment
 * can be asked in any order.
 *
 * For a Poisson process of rate λ with independent durations D, the share of time covered
 * is 1 − exp(−λ·E[D]) (the M/G/∞ queue is empty with that probability), ≈ λ·E[D] when
 * small.
 */
import { normal, poissonFromUniform, uniform } from './rng.ts';
import type { TimeWindow } from './types.ts';

const DAY_MS = 86_400_000;

export interface WindowProcess {
  /** Stream id (rng.streamId) naming the process. */
  stream: number;
  ratePerDay: number;
  /** Mean duration before the cap, ms (lognormal). */
  meanMs: number;
  /** sd of ln(duration). */
  sigmaLog: number;
  /** Longest window, ms; also the bin length. */
  capMs: number;
}

function eventsInBin(seed: number, box: number, p: WindowProcess, bin: number): TimeWindow[] {
  const lambda = (p.ratePerDay * p.capMs) / DAY_MS;
  const count = poissonFromUniform(lambda, uniform(seed, p.stream, box, bin, -1));
  const events: TimeWindow[] = [];
  for (let k = 0; k < count; k++) {
    const startMs = (bin + uniform(seed, p.stream, box, bin, 2 * k)) * p.capMs;
    const z = normal(seed, p.stream, box, bin, 2 * k + 1);
    const durationMs = Math.min(
      p.capMs,
      p.meanMs * Math.exp(p.sigmaLog * z - (p.sigmaLog * p.sigmaLog) / 2),
    );
    events.push({ startMs: Math.floor(startMs), endMs: Math.floor(startMs + durationMs) });
  }
  return events;
}

/**
 * Where the run of windows covering `timeMs` began, or null when none covers it. Windows
 * that overlap or touch form one run, as `windowsBetween` merges them, so a stuck sensor
 * stays frozen at one value for the whole run.
 */
export function runStartAt(
  seed: number,
  box: number,
  p: WindowProcess,
  timeMs: number,
): number | null {
  if (p.ratePerDay <= 0) return null;
  let start = earliestCovering(seed, box, p, timeMs, false);
  if (start === null) return null;
  // Follow the chain back: an earlier window that reaches this start extends the run.
  for (
    let earlier = earliestCovering(seed, box, p, start, true);
    earlier !== null && earlier < start;
  ) {
    start = earlier;
    earlier = earliestCovering(seed, box, p, start, true);
  }
  return start;
}

/** The earliest start of a window covering `timeMs` (or ending exactly there, if `touching`). */
function earliestCovering(
  seed: number,
  box: number,
  p: WindowProcess,
  timeMs: number,
  touching: boolean,
): number | null {
  const bin = Math.floor(timeMs / p.capMs);
  let found: number | null = null;
  for (let b = bin - 1; b <= bin; b++) {
    for (const w of eventsInBin(seed, box, p, b)) {
      const covers = w.startMs <= timeMs && (timeMs < w.endMs || (touching && timeMs === w.endMs));
      if (covers && (found === null || w.startMs < found)) found = w.startMs;
    }
  }
  return found;
}

/** The windows of `box` overlapping [fromMs, toMs), overlapping ones merged, in time order. */
export function windowsBetween(
  seed: number,
  box: number,
  p: WindowProcess,
  fromMs: number,
  toMs: number,
): TimeWindow[] {
  if (p.ratePerDay <= 0 || toMs <= fromMs) return [];
  const all: TimeWindow[] = [];
  const last = Math.floor(toMs / p.capMs);
  for (let b = Math.floor(fromMs / p.capMs) - 1; b <= last; b++) {
    for (const w of eventsInBin(seed, box, p, b)) {
      if (w.endMs > fromMs && w.startMs < toMs) all.push(w);
    }
  }
  all.sort((a, b) => a.startMs - b.startMs);
  const merged: TimeWindow[] = [];
  for (const w of all) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined && w.startMs <= prev.endMs) prev.endMs = Math.max(prev.endMs, w.endMs);
    else merged.push({ ...w });
  }
  return merged;
}
