/**
 * What the bench watches of the serve while an attack runs: its RSS from /proc every 100 ms,
 * /healthz every 250 ms, and its counters on /metrics before and after.
 */
import { percentile, sampleProcess } from '../proc.ts';

const RSS_EVERY_MS = 100;
const HEALTH_EVERY_MS = 250;
/** A /healthz answer slower than this counts as a failure (and as this latency). */
const HEALTH_TIMEOUT_MS = 5000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RSS of a process, or null once it is gone. */
export function rssOf(pid: number): number | null {
  try {
    return sampleProcess(pid).rssBytes;
  } catch {
    return null;
  }
}

/** Samples the process's RSS until stopped; `stop` gives the highest and the last. */
export function watchRss(pid: number) {
  let peakRssBytes = rssOf(pid) ?? 0;
  let lastRssBytes = peakRssBytes;
  const timer = setInterval(() => {
    const rss = rssOf(pid);
    if (rss === null) return;
    lastRssBytes = rss;
    peakRssBytes = Math.max(peakRssBytes, rss);
  }, RSS_EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      return { peakRssBytes, lastRssBytes };
    },
  };
}

export interface HealthSeen {
  polls: number;
  failures: number;
  /** p99 over the polls (nearest rank); with 250 ms polls, a run of seconds has tens. */
  p99LatencyMs: number;
  maxLatencyMs: number;
}

/** GET /healthz every 250 ms (the next one only once the last answered) until stopped. */
export function pollHealth(httpPort: number) {
  const seen: HealthSeen = { polls: 0, failures: 0, p99LatencyMs: 0, maxLatencyMs: 0 };
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const ok = await fetch(`http://127.0.0.1:${httpPort}/healthz`, {
        signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
      }).then(
        (res) => res.arrayBuffer().then(() => res.ok),
        () => false,
      );
      const ms = performance.now() - t0;
      seen.polls++;
      if (!ok) seen.failures++;
      seen.maxLatencyMs = Math.max(seen.maxLatencyMs, Math.round(ms));
      latencies.push(ms);
      await sleep(Math.max(0, HEALTH_EVERY_MS - ms));
    }
  })();
  return {
    async stop(): Promise<HealthSeen> {
      running = false;
      await loop;
      seen.p99LatencyMs = Math.round(percentile(latencies, 99));
      return seen;
    },
  };
}

/**
 * The counters an attack moves (cli/src/serve-metrics.ts), by their /metrics names; a series
 * of a labelled family is named with its labels.
 */
export const WATCHED_COUNTERS = {
  publishesRefused: 'airbox_publish_refused_total',
  connectionsRefused: 'airbox_connections_refused_total',
  connectTimeouts: 'airbox_connections_closed_before_connect_total{reason="connect-timeout"}',
  pendingCapClosed: 'airbox_connections_closed_before_connect_total{reason="pending-cap"}',
  readingsStored: 'airbox_readings_stored_total',
  deadLetters: 'airbox_dead_letters_total',
  anonymousDevicesTracked: 'airbox_anonymous_tracked_devices',
} as const;

export type Counters = Record<keyof typeof WATCHED_COUNTERS, number>;

/** Each watched counter from `read`. */
function countersFrom(read: (key: keyof typeof WATCHED_COUNTERS) => number): Counters {
  return {
    publishesRefused: read('publishesRefused'),
    connectionsRefused: read('connectionsRefused'),
    connectTimeouts: read('connectTimeouts'),
    pendingCapClosed: read('pendingCapClosed'),
    readingsStored: read('readingsStored'),
    deadLetters: read('deadLetters'),
    anonymousDevicesTracked: read('anonymousDevicesTracked'),
  };
}

/** The watched counters from /metrics (Prometheus text format 0.0.4), or null. */
export async function readCounters(httpPort: number): Promise<Counters | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}/metrics`, {
      signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS),
    });
    const text = await res.text();
    return countersFrom((key) => {
      const series = WATCHED_COUNTERS[key];
      const name = series.replace(/[{}]/g, (c) => `\\${c}`);
      const labels = series.includes('{') ? '' : '(?:\\{[^}]*\\})?';
      const line = new RegExp(`^${name}${labels} (\\S+)$`, 'm');
      return Number(line.exec(text)?.[1] ?? NaN);
    });
  } catch {
    return null;
  }
}

/** after − before for each counter; null when either read failed. */
export function counterDeltas(before: Counters | null, after: Counters | null): Counters | null {
  if (before === null || after === null) return null;
  return countersFrom((key) => after[key] - before[key]);
}
