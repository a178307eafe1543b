import { performance } from 'node:perf_hooks';
import { refit, type RefitOptions, type RefitResult } from './fit-job.ts';
import type { PairingStore } from './pairing.ts';
import type { ModelRegistry } from './registry.ts';

/** Daily, as LASS's calibration framework refitted (see fit-job.ts). */
export const DEFAULT_REFIT_EVERY_MS = 86_400_000;

/** One refit whose window ends at `nowMs` (epoch ms); resolves with what it stored. */
export type RunRefit = (nowMs: number) => Promise<RefitResult>;

export interface RefitScheduleOptions extends Omit<RefitOptions, 'now'> {
  everyMs?: number;
  now?: () => number;
  /** Run once right away (default) rather than wait a whole period first. */
  runAtStart?: boolean;
  /**
   * How a run refits. Default: `refit` on this registry and store, in this thread. A server
   * passes one that refits elsewhere (a worker thread with its own connections), so the
   * fit does not hold up its event loop; the registry's version tells the provider.
   */
  runRefit?: RunRefit;
  onResult?: (result: RefitResult, run: { durationMs: number }) => void;
  /** A failed refit (e.g. an empty window) is reported here; the schedule keeps going. */
  onError?: (error: unknown) => void;
}

/**
 * Runs a refit every `everyMs`. A run still going when the next is due is not doubled: the
 * due run is skipped, since it would fit the same window.
 */
export function startRefitSchedule(
  registry: ModelRegistry,
  store: PairingStore,
  options: RefitScheduleOptions = {},
): { runNow(): Promise<RefitResult | null>; stop(): void } {
  const now = options.now ?? Date.now;
  const runRefit: RunRefit =
    options.runRefit ?? ((nowMs) => refit(registry, store, { ...options, now: nowMs }));
  let running: Promise<RefitResult | null> | null = null;
  const runNow = (): Promise<RefitResult | null> => {
    const startedMs = performance.now();
    running ??= runRefit(now())
      .then((result) => {
        options.onResult?.(result, { durationMs: Math.round(performance.now() - startedMs) });
        return result;
      })
      .catch((error: unknown) => {
        options.onError?.(error);
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.everyMs ?? DEFAULT_REFIT_EVERY_MS);
  timer.unref();
  if (options.runAtStart ?? true) void runNow();
  return { runNow, stop: () => clearInterval(timer) };
}
