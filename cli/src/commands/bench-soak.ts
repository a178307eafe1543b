/**
 * `airbox bench soak` (the scaled-out layout under a simulated fleet with faults, see
 * ingest/bench/soak.ts) and `airbox bench soak-sim`, the simulator process the soak starts
 * twice: one shard of a seeded fleet each (`airbox sim` runs a whole fleet, and two of
 * those would share device ids).
 */
import { createSimWorld, Fleet, worldSource, type FleetProgress } from '@airbox/firmware-sim';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, writeLine, type CliIo } from '../io.ts';
import { waitForSignal } from '../signals.ts';
import { withRegistry } from '../registry-options.ts';
import { indoorBoxIds, simCredentials } from '../sim-credentials.ts';

export const SOAK_USAGE = `  soak      the scaled-out layout (Redis, InfluxDB, two brokers, two stream workers) under
            --devices boxes (default 15,000) in real time for --minutes (default 10), with
            broker A, worker 1 and InfluxDB failing on a schedule: readings acknowledged =
            readings stored, PASS or FAIL (exit code 1); --speed X runs the fleet faster,
            --via direct|haproxy picks how the boxes reach the brokers (default: HAProxy up
            to 8,000 boxes, beyond that each simulator process to its own broker)
  soak-sim  one simulator process of the soak (a shard of the fleet); the soak starts it`;

export async function runSoakBench(argv: string[], io: CliIo, airbox: string[]): Promise<number> {
  const { values: v } = parseCommandArgs(argv, {
    devices: { type: 'string' },
    minutes: { type: 'string' },
    speed: { type: 'string' },
    via: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (v.via !== undefined && v.via !== 'direct' && v.via !== 'haproxy') {
    throw new UsageError(`--via must be direct or haproxy, got '${v.via}'`);
  }
  const devices = Math.round(positiveNumber('devices', v.devices, 15_000));
  if (v.via === 'haproxy' && devices > 8_000) {
    throw new UsageError(`--via haproxy carries at most 8,000 boxes here, not ${devices}`);
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { describeSoak, runSoak } = await import('@airbox/bench');
    const result = await runSoak({
      airbox,
      devices,
      durationS: positiveNumber('minutes', v.minutes, 10) * 60,
      speed: positiveNumber('speed', v.speed, 1),
      layout: v.via,
      progress: (m) => io.stderr.write(`bench soak: ${m}\n`),
      signal: abort.signal,
    });
    io.stdout.write((v.json ? JSON.stringify(result) : describeSoak(result)) + '\n');
    return result.pass ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `--shard K/N`: boxes whose index i has i mod N = K − 1. */
function parseShard(value: string | undefined): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value ?? '');
  const k = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (m === null || k < 1 || n < 1 || k > n) {
    throw new UsageError(`--shard must be K/N with 1 ≤ K ≤ N (e.g. 1/2), got '${value}'`);
  }
  return { k, n };
}

function parseBroker(url: string | undefined): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url ?? '');
  } catch {
    throw new UsageError(`--broker '${url}' is not a URL (e.g. mqtt://127.0.0.1:1883)`);
  }
  if (u.protocol !== 'mqtt:') throw new UsageError(`--broker '${url}' must be mqtt://host:port`);
  return { host: u.hostname, port: u.port === '' ? 1883 : Number(u.port) };
}

/** The flags of `airbox bench soak-sim`, checked. */
interface SoakSimOptions {
  shard: { k: number; n: number };
  registry: string;
  broker: { host: string; port: number };
  speed: number;
  durationMs: number;
  devices: number;
  seed: number;
}

function soakSimOptions(argv: string[]): SoakSimOptions {
  const { values: v } = parseCommandArgs(argv, {
    shard: { type: 'string' },
    devices: { type: 'string' },
    registry: { type: 'string' },
    broker: { type: 'string' },
    speed: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
  });
  const shard = parseShard(v.shard);
  if (v.registry === undefined) throw new UsageError('--registry FILE is required');
  if (v.duration === undefined) throw new UsageError('--duration S is required');
  return {
    shard,
    registry: v.registry,
    broker: parseBroker(v.broker),
    speed: positiveNumber('speed', v.speed, 1),
    durationMs: positiveNumber('duration', v.duration, 1) * 1000,
    devices: Math.round(positiveNumber('devices', v.devices, 15_000)),
    seed: Math.floor(positiveNumber('seed', v.seed, 1)),
  };
}

/** This shard's boxes of the seeded world, registered with fresh credentials. */
async function shardFleetSource(o: SoakSimOptions, startMs: number, now: () => number) {
  const { k, n } = o.shard;
  const whole = worldSource(createSimWorld({ seed: o.seed, boxes: o.devices, startMs }));
  const source = { ...whole, boxes: whole.boxes.filter((b) => b.index % n === k - 1) };
  // Registered where the world puts them, as `airbox sim --data-dir` does.
  const ids = source.boxes.map((b) => b.deviceId);
  const creds = await withRegistry(o.registry, now, (r) =>
    simCredentials(r.devices, ids, indoorBoxIds(source.boxes)),
  );
  return { source, creds };
}

/**
 * One shard: registers its boxes (fresh credentials in the shared registry), runs the fleet
 * for --duration simulated seconds and reports on stdout, one JSON object a line: registered,
 * progress every 5 s, done with the totals. SIGINT/SIGTERM end it early (totals still come).
 */
export async function runSoakSim(argv: string[], io: CliIo): Promise<number> {
  const o = soakSimOptions(argv);
  const { speed, durationMs } = o;
  // Faster than real time the run ends "now", so no reading is from the future.
  const startMs = speed > 1 ? io.now() - durationMs : io.now();
  const { source, creds } = await shardFleetSource(o, startMs, io.now);
  const say = (event: string, p: object) =>
    writeLine(io.stdout, JSON.stringify({ event, shard: `${o.shard.k}/${o.shard.n}`, ...p }));
  await say('registered', { boxes: source.boxes.length });
  const fleet = new Fleet({
    source,
    broker: o.broker,
    credentials: (id) => creds.get(id) ?? null,
    service: null, // reference stations are not the boxes' readings: left out of the count
    format: 'native',
    speed,
    startMs,
    durationMs,
    now: io.now,
    progressMs: 5000,
    onProgress: (p: FleetProgress) => void say('progress', p),
  }).start();
  const final = await Promise.race([fleet.done, waitForSignal().then(() => fleet.stop())]);
  await say('done', final);
  return 0;
}
