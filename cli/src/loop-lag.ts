import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How often the delay timer samples: fine enough for budgets of hundreds of ms. */
export const LAG_RESOLUTION_MS = 10;
/** The span the statistics cover (the last 5–10 s, see EventLoopLag). */
export const DEFAULT_LAG_WINDOW_MS = 10_000;

/** Event-loop delay, ms beyond the sampling interval (an idle loop reads about 0). */
export interface LagStats {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const NONE: LagStats = { p50Ms: 0, p99Ms: 0, maxMs: 0 };

function statsOf(h: IntervalHistogram): LagStats {
  if (h.count === 0) return NONE;
  const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max) };
}

function worse(a: LagStats, b: LagStats): LagStats {
  return {
    p50Ms: Math.max(a.p50Ms, b.p50Ms),
    p99Ms: Math.max(a.p99Ms, b.p99Ms),
    maxMs: Math.max(a.maxMs, b.maxMs),
  };
}

/**
 * How late this thread's event loop runs, from perf_hooks.monitorEventLoopDelay (a libuv
 * timer every LAG_RESOLUTION_MS; each sample is how late it fired). A histogram cannot drop
 * old samples, so it is read and reset every half window: the statistics are the worse of
 * the period going on and the one before, i.e. of the last windowMs/2 to windowMs. A period
 * that ended late (the loop was blocked through the reset) keeps what it saw for the next.
 *
 * p99 shows a loop kept busy; only max shows one long stall, which is a single sample (a
 * loop blocked for 53 s samples once, after it).
 */
export class EventLoopLag {
  readonly windowMs: number;
  readonly #histogram = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  readonly #timer: NodeJS.Timeout;
  #previous: LagStats = NONE;

  constructor(windowMs = DEFAULT_LAG_WINDOW_MS) {
    this.windowMs = windowMs;
    this.#histogram.enable();
    this.#timer = setInterval(() => this.#roll(), windowMs / 2);
    this.#timer.unref();
  }

  /** Over the last windowMs/2 to windowMs. */
  stats(): LagStats {
    return worse(this.#previous, statsOf(this.#histogram));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }

  #roll(): void {
    this.#previous = statsOf(this.#histogram);
    this.#histogram.reset();
  }
}
