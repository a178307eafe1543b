import { cpus } from 'node:os';
import {
  computeSurface,
  syntheticPoints,
  taiwanLikeSites,
  type FieldSpec,
  type KrigingParams,
  type Surface,
  type SurfaceMethod,
} from '@airbox/web';

/** What `airbox bench surface` promises on this project's 2-core reference machine. */
export const SURFACE_TARGETS = { idwMs: 200, krigingMs: 1000 } as const;

export interface SurfaceBenchOptions {
  points?: number;
  /** Grid cells a side. */
  size?: number;
  seed?: number;
  /** Timed runs per method; the median is reported. */
  runs?: number;
  now?: () => number;
  /** CPU time of this process in ms (user + system). */
  cpuMs?: () => number;
  progress?: (message: string) => void;
}

export interface MethodTiming {
  /** Median wall time of computeSurface, leave-one-out included, on this one thread. */
  wallMs: number;
  /**
   * Median CPU time of the process over the same runs: what the method costs when other work
   * shares the cores. V8's GC and compiler threads count too, so it overstates the one thread.
   */
  cpuMs: number;
  runsWallMs: number[];
  runsCpuMs: number[];
  looRmse: number;
  looMae: number;
  looN: number;
  cellsPainted: number;
}

export interface SurfaceBenchResult {
  bench: 'surface';
  points: number;
  grid: string;
  cells: number;
  runs: number;
  idwMs: number;
  krigingMs: number;
  idw: MethodTiming;
  kriging: MethodTiming & { tiles: number; fitted: KrigingParams['variogram'] };
  field: FieldSpec;
  targets: {
    idwMs: number;
    krigingMs: number;
    /** Judged on the median wall time. */
    idwMet: boolean;
    krigingMet: boolean;
    /** Judged on the median CPU time (a loaded machine inflates wall time, not CPU time). */
    idwCpuMet: boolean;
    krigingCpuMet: boolean;
  };
  cpu: string;
  node: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const processCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Times IDW and kriging surfaces for `points` synthetic boxes placed like Taiwan's network
 * (web's surface/synthetic.ts) on a size × size grid over their extent: a PM2.5 field with an
 * exponential covariance (range 20 km) plus box noise, so the fitted variogram can be
 * checked against the truth. One warm-up run per method, then the median of `runs`.
 */
export function runSurfaceBench(options: SurfaceBenchOptions = {}): SurfaceBenchResult {
  const { points = 15_000, size = 512, seed = 1, runs = 5 } = options;
  const field = benchField(seed);
  const timing: TimingSetup = {
    pts: syntheticPoints(taiwanLikeSites(points, seed), field),
    size,
    runs,
    now: options.now ?? (() => performance.now()),
    cpuMs: options.cpuMs ?? processCpuMs,
    progress: options.progress ?? (() => {}),
  };
  const { last: idwLast, ...idw } = timeMethod(timing, 'idw');
  const { last: krigingLast, ...kriging } = timeMethod(timing, 'kriging');
  const kp = krigingLast.params as KrigingParams;
  void idwLast;
  return {
    bench: 'surface',
    points,
    grid: `${size}×${size}`,
    cells: size * size,
    runs,
    idwMs: idw.wallMs,
    krigingMs: kriging.wallMs,
    idw,
    kriging: { ...kriging, tiles: kp.tiles, fitted: kp.variogram },
    field,
    targets: {
      ...SURFACE_TARGETS,
      idwMet: idw.wallMs < SURFACE_TARGETS.idwMs,
      krigingMet: kriging.wallMs < SURFACE_TARGETS.krigingMs,
      idwCpuMet: idw.cpuMs < SURFACE_TARGETS.idwMs,
      krigingCpuMet: kriging.cpuMs < SURFACE_TARGETS.krigingMs,
    },
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
  };
}

/** The synthetic PM2.5 field the boxes sample: exponential covariance, range 20 km. */
function benchField(seed: number): FieldSpec {
  return {
    meanUgM3: 35,
    sigmaUgM3: 12,
    covariance: 'exponential',
    rangeM: 20_000,
    noiseUgM3: 5,
    seed,
  };
}

/** What every timed method runs on, and the clocks it is timed with. */
interface TimingSetup {
  pts: ReturnType<typeof syntheticPoints>;
  /** Grid cells a side. */
  size: number;
  runs: number;
  now: () => number;
  cpuMs: () => number;
  progress: (message: string) => void;
}

/** One warm-up run of the method, then `runs` timed ones; the last surface for its params. */
function timeMethod(t: TimingSetup, method: SurfaceMethod): MethodTiming & { last: Surface } {
  const { pts, size, runs, now, cpuMs } = t;
  t.progress(`${method}: a warm-up and ${runs} timed runs`);
  let last = computeSurface(pts, { method, width: size, height: size }, now);
  const runsWallMs: number[] = [];
  const runsCpuMs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const cpu0 = cpuMs();
    last = computeSurface(pts, { method, width: size, height: size }, now);
    runsCpuMs.push(round(cpuMs() - cpu0));
    runsWallMs.push(round(last.computedMs));
  }
  return {
    wallMs: median(runsWallMs),
    cpuMs: median(runsCpuMs),
    runsWallMs,
    runsCpuMs,
    looRmse: round(last.looRmse, 2),
    looMae: round(last.looMae, 2),
    looN: last.looN,
    cellsPainted: last.cellsPainted,
    last,
  };
}
