/**
 * What the soak watches while it runs: a progress line every `progressS` (readings
 * acknowledged and stored, the stream backlog, each process's CPU and RSS), and at the end
 * the wait until the streams and the workers' spill are empty.
 */
import { streamEntries, workerGauges, type SoakCluster } from './soak-cluster.ts';
import { countRows } from './soak-count.ts';
import type { SoakProcess } from './soak-process.ts';
import { fleetTotals, type Shard } from './soak-sims.ts';

/** Every 1 s until the streams hold nothing and no worker holds a reading not yet durable. */
export async function waitDrained(
  c: SoakCluster,
  timeoutS: number,
  sleep: (ms: number) => Promise<void>,
  log: (m: string) => void,
) {
  const startMs = Date.now();
  const seconds = () => round((Date.now() - startMs) / 1000);
  let quiet = 0;
  let lastLogS = 0;
  while (seconds() < timeoutS) {
    const entries = await streamEntries(c.redisUrl).catch(() => -1);
    const g = await workerGauges(c);
    const empty = entries === 0 && g.answered === c.workers.length && g.spilled + g.pending === 0;
    quiet = empty ? quiet + 1 : 0;
    if (quiet >= 2) return { drained: true, seconds: seconds() };
    if (seconds() - lastLogS >= 30) {
      lastLogS = seconds();
      log(
        `still draining: ${fmt(entries)} stream entries, ${fmt(g.spilled)} spilled, ${fmt(g.pending)} pending`,
      );
    }
    await sleep(1000);
  }
  return { drained: false, seconds: seconds() };
}

export function progressTicker(
  o: { devices: number; progressS?: number },
  c: SoakCluster,
  started: SoakProcess[],
  shards: Shard[],
  log: (m: string) => void,
) {
  const last = new Map<SoakProcess, { cpuS: number; atMs: number }>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      const fleet = fleetTotals(shards);
      const stored = await countRows(c.influx).catch(() => null);
      const g = await workerGauges(c);
      const procs = started.map((p) => {
        p.sample();
        const prev = last.get(p) ?? { cpuS: 0, atMs: p.firstStartMs ?? Date.now() };
        const cores = (p.cpuS - prev.cpuS) / Math.max(0.001, (Date.now() - prev.atMs) / 1000);
        last.set(p, { cpuS: p.cpuS, atMs: Date.now() });
        const state = p.running ? `${cores.toFixed(2)} cores ${mb(p.rssBytes)}` : 'down';
        return `${p.spec.name} ${state}`;
      });
      log(
        `acked ${fmt(fleet.acked)} | stored ${stored === null ? 'n/a (InfluxDB not answering)' : fmt(stored)} | ` +
          `stream backlog ${fmt(g.backlog)}${g.answered < c.workers.length ? ` (${g.answered} of ${c.workers.length} workers answering)` : ''}, ` +
          `spilled ${fmt(g.spilled)} | boxes connected ${fmt(fleet.connected)}/${fmt(o.devices)}\n      ${procs.join(', ')}`,
      );
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick().catch(() => undefined), (o.progressS ?? 30) * 1000);
  return { stop: () => clearInterval(timer) };
}

const round = (n: number) => Math.round(n * 100) / 100;
const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
