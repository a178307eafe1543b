/**
 * The simulated fleet of a soak: `airbox bench soak-sim` processes, one shard of the fleet
 * each (boxes i with i mod N = k − 1 of one seeded world, so the shards' device ids never
 * collide). Each shard registers its boxes in the deployment's registry (fresh credentials,
 * `DeviceStore.issueMany`), runs for a simulated duration and then ends by itself: every
 * Wi-Fi outage ends, each box sends its backlog and the process reports its totals as
 * JSON lines on stdout ({"event":"progress"|"done", …}).
 */
import { z } from 'zod';
import { SoakProcess } from './soak-process.ts';

const Totals = z.object({
  event: z.enum(['registered', 'progress', 'done']),
  boxes: z.number(),
  connected: z.number().default(0),
  inOutage: z.number().default(0),
  readingsMade: z.number().default(0),
  readingsAcked: z.number().default(0),
  backlog: z.number().default(0),
  droppedReadings: z.number().default(0),
  outagesStarted: z.number().default(0),
});
export type ShardTotals = z.infer<typeof Totals>;

export interface ShardOptions {
  airbox: string[];
  devices: number;
  registryPath: string;
  speed: number;
  /** Real seconds; the shard simulates durationS × speed. */
  durationS: number;
  seed: number;
}

/** Shard k of n, connecting to `broker`; its latest and final totals as it reports them. */
export class Shard {
  readonly process: SoakProcess;
  latest: ShardTotals | null = null;
  final: ShardTotals | null = null;

  constructor(o: ShardOptions, k: number, n: number, broker: string) {
    this.process = new SoakProcess({
      name: `sim-${k}`,
      cmd: [...o.airbox, 'bench', 'soak-sim', '--shard', `${k}/${n}`]
        .concat(['--devices', String(o.devices), '--registry', o.registryPath])
        .concat(['--broker', broker, '--speed', String(o.speed)])
        .concat(['--duration', String(o.durationS * o.speed), '--seed', String(o.seed)]),
      readyLine: /"event":"registered"/,
      readyTimeoutMs: 180_000,
      onLine: (line) => this.onLine(line),
    });
  }

  private onLine(line: string): void {
    if (!line.startsWith('{')) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return;
    }
    const parsed = Totals.safeParse(json);
    if (!parsed.success) return;
    if (parsed.data.event === 'done') this.final = parsed.data;
    else this.latest = parsed.data;
  }
}

export interface FleetTotals {
  boxes: number;
  connected: number;
  made: number;
  acked: number;
  backlog: number;
  dropped: number;
  outages: number;
}

/** Summed over the shards, from their final report where there is one. */
export function fleetTotals(shards: Shard[]): FleetTotals {
  const t = { boxes: 0, connected: 0, made: 0, acked: 0, backlog: 0, dropped: 0, outages: 0 };
  for (const s of shards) {
    const r = s.final ?? s.latest;
    if (r === null) continue;
    t.boxes += r.boxes;
    t.connected += r.connected;
    t.made += r.readingsMade;
    t.acked += r.readingsAcked;
    t.backlog += r.backlog;
    t.dropped += r.droppedReadings;
    t.outages += r.outagesStarted;
  }
  return t;
}

/** Waits for each shard to end by itself; one still running at the deadline is stopped. */
export async function waitForShards(
  shards: Shard[],
  deadlineMs: number,
  sleep: (ms: number) => Promise<void>,
  log: (m: string) => void,
) {
  while (Date.now() < deadlineMs && shards.some((s) => s.process.running)) await sleep(1000);
  for (const s of shards.filter((sh) => sh.process.running)) {
    log(`${s.process.spec.name} still running at its deadline: SIGTERM (it reports its totals)`);
    await s.process.stop();
  }
}
