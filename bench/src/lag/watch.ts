/**
 * What `airbox bench lag` reads of the serve while a job runs: its own event-loop delay
 * (airbox_event_loop_lag_seconds, over its last 5–10 s) and the other gauges it needs from
 * /metrics every 2 s, its RSS from /proc, and /healthz every 250 ms (attack/watch.ts).
 */
import { rssOf } from '../attack/watch.ts';

const EVERY_MS = 2000;

/** The series of /metrics a sample keeps. */
const SERIES = {
  lagP99S: 'airbox_event_loop_lag_seconds{quantile="0.99"}',
  lagMaxS: 'airbox_event_loop_lag_seconds{quantile="1"}',
  tasksRunning: 'airbox_tasks_running',
  pauses: 'airbox_ingest_pauses_total',
  pausedS: 'airbox_ingest_paused_seconds_total',
} as const;

export type MetricsSample = Record<keyof typeof SERIES, number>;

export async function readMetrics(httpPort: number): Promise<MetricsSample | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
      signal: AbortSignal.timeout(10_000),
    });
    const lines = new Map(
      (await res.text())
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .map((l) => [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))]),
    );
    const read = (k: keyof typeof SERIES) => lines.get(SERIES[k]) ?? NaN;
    return {
      lagP99S: read('lagP99S'),
      lagMaxS: read('lagMaxS'),
      tasksRunning: read('tasksRunning'),
      pauses: read('pauses'),
      pausedS: read('pausedS'),
    };
  } catch {
    return null;
  }
}

export interface ServeSeen {
  /** The worst of serve's own lag p99 (each over its last 5–10 s) sampled during the span. */
  lagP99Ms: number;
  lagMaxMs: number;
  peakRssBytes: number;
  samples: number;
}

/** Samples /metrics and RSS every 2 s until stopped. */
export function watchServe(httpPort: number, pid: number) {
  const seen: ServeSeen = { lagP99Ms: 0, lagMaxMs: 0, peakRssBytes: rssOf(pid) ?? 0, samples: 0 };
  let running = true;
  const loop = (async () => {
    while (running) {
      await new Promise((r) => setTimeout(r, EVERY_MS));
      const m = await readMetrics(httpPort);
      seen.peakRssBytes = Math.max(seen.peakRssBytes, rssOf(pid) ?? 0);
      if (m === null) continue;
      seen.samples++;
      seen.lagP99Ms = Math.max(seen.lagP99Ms, Math.round(m.lagP99S * 1000));
      seen.lagMaxMs = Math.max(seen.lagMaxMs, Math.round(m.lagMaxS * 1000));
    }
  })();
  return {
    async stop(): Promise<ServeSeen> {
      running = false;
      await loop;
      return seen;
    },
  };
}
