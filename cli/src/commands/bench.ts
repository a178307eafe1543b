import { packageFile } from '@airbox/geo';
import type * as Bench from '@airbox/bench';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirRegistry, withRegistry } from '../registry-options.ts';
import { simCredentials } from '../sim-credentials.ts';
import { runSoakBench, runSoakSim, SOAK_USAGE } from './bench-soak.ts';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox bench <name> [options] [--json]

Measures and prints what it measured; --json prints one JSON object instead.

benches:
  decode    LASS payloads decoded and validated per second on one core (from bytes)
  ingest    readings/s published → stored end to end, p50/p99 latency, server CPU and
            RSS, 15,000 held connections; the broker alone and Debian's Mosquitto
            relaying the same load, and the ratios
  scaleout  the scaled-out parts one at a time: readings/s one broker acknowledges when it
            appends each to the Redis stream first (broker and Redis CPU), then readings/s
            one stream worker stores from that backlog (for deploy/README.md's capacity)
  sim       one simulator process: N boxes (default 15,000) in real time, its CPU and RSS;
            then the same fleet at 60× (--speed), readings acknowledged per second by airbox serve
  api       GET /api/v1/series for one box over 24 h with --rows readings stored (default
            20,000,000 in SQLite; the fill takes minutes, a --path file is reused)
  surface   interpolated PM2.5 surface for synthetic Taiwan-like boxes: IDW and kriging
            time (median, one thread), leave-one-out error, cells painted
  health    the health engine against the simulator's faults: precision and recall per
            problem code over --seeds fleets (default 5) of --boxes (default 400) × --days
            (default 20); then the CPU time to judge 15,000 boxes (fast run on 48 h, slow
            run on 14 days, window reads from SQLite) and its share of a core when run
            every 5 minutes (target < 10 %)
  attack    a real airbox serve on 127.0.0.1 under each attack the broker defends against
            (huge CONNECT, huge WebSocket frames, huge logged-in PUBLISH, idle sockets,
            anonymous LASS flood, refused publishes, retained flood, dead-letter pages):
            its peak RSS, RSS after, CPU, /healthz latency, and whether a well-behaved box
            still gets a reading stored; target: within 100 MB of its idle RSS
  reconnect N boxes (default 15,000) registered in PostgreSQL and in SQLite connecting at
            once to airbox serve --registry …, then again after the broker is restarted:
            time to the last CONNACK, refused, failed, p50/p99, broker RSS; target: all
            CONNACKed within 30 s, none refused (PostgreSQL from Debian's postgresql)
  lag       a real airbox serve on a history of --boxes × --days (default 50 × 30, minute
            readings) taking --rate readings/s (default 1000) while each heavy job runs in
            turn: the refit it starts with, a kriging surface every second, a CSV export of
            7 days of every box, the recalibration of a month; its event-loop delay p99 and
            PUBLISH → PUBACK p99 (targets 50 and 100 ms), then /healthz p99 under saturating
            ingest (target 1 s)
  archive   a day of minute readings of --boxes boxes (default 15,000: 21.6 M rows) in SQLite,
            archived by 'airbox archive --day' (Parquet + a csv.gz per box + manifest): its
            duration and peak RSS (targets 5 minutes, 1 GB)
  refit     the daily calibration refit (airbox calibrate fit, a process of its own) over
            the last --window-days (default 30) of --boxes × --days (default 2,000 × 30,
            a reading every --interval-min 60; every box co-located): duration, peak RSS
${SOAK_USAGE}

  --seconds N       how long each measurement runs (default: decode 5, ingest 10)
  --clients N       ingest: publishing clients (default 100)
  --connections N   ingest: connections to hold for the memory check (default 15000)
  --devices N       sim: boxes (default 15000)
  --speed X         sim: time compression of the fast phase (default 60: N boxes make N
                    readings/s)
  --handoff stream  sim: the receiving serve hands readings to a Redis stream (a Redis is
                    started for it) instead of storing them itself: the fast phase then
                    measures what the simulator drives, not what one process stores
  --rows N          api: readings stored (default 20000000)
  --path FILE       api: SQLite file to fill or reuse
  --points N        surface: boxes (default 15000)
  --size N          surface: grid cells a side (default 512)
  --runs N          surface: timed runs per method, median reported (default 5)
  --seeds N         health: simulated fleets scored (default 5)
  --only A[,B]      attack: only the attacks named (an unknown name lists them)
  --boxes N         reconnect: boxes (default 15000; needs ulimit -n above N + 1,000);
                    lag: boxes in the history (default 50); --days N its days (default 30);
                    refit: boxes (default 2000), --days (default 30)
  --registry KIND   reconnect: postgres or sqlite (default: both, PostgreSQL first)
  --rate N          lag: readings/s while the jobs run (default 1000); --seconds N how long
                    the baseline and the surface job are measured (default 20)
  --json            one JSON object on stdout`;

const AIRBOX = packageFile(import.meta.url, '@airbox/cli', 'bin/airbox.js');

const BENCH_OPTIONS = {
  seconds: { type: 'string' },
  clients: { type: 'string' },
  connections: { type: 'string' },
  points: { type: 'string' },
  size: { type: 'string' },
  runs: { type: 'string' },
  devices: { type: 'string' },
  handoff: { type: 'string' },
  speed: { type: 'string' },
  rows: { type: 'string' },
  path: { type: 'string' },
  only: { type: 'string' },
  boxes: { type: 'string' },
  registry: { type: 'string' },
  days: { type: 'string' },
  seeds: { type: 'string' },
  rate: { type: 'string' },
  'window-days': { type: 'string' },
  'interval-min': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** What a bench's runner gets: its flags, the loaded benchmarks, and where to report. */
interface BenchRun {
  values: ReturnType<typeof parseCommandArgs<typeof BENCH_OPTIONS>>['values'];
  io: CliIo;
  bench: typeof Bench;
  progress: (message: string) => void;
  /** The result as JSON with --json, else as `text` describes it. */
  print: (result: unknown, text: () => string) => void;
}

export const benchCommand: Command = {
  name: 'bench',
  summary:
    'measure throughput, latency and memory (decode, ingest, sim, api, surface, health, attack, reconnect, lag, refit, archive)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    // The soak has options of its own (bench-soak.ts): `airbox bench soak [options]`.
    if (argv[0] === 'soak') return runSoakBench(argv.slice(1), io, [process.execPath, AIRBOX]);
    if (argv[0] === 'soak-sim') return runSoakSim(argv.slice(1), io);
    const { values, positionals } = parseCommandArgs(argv, BENCH_OPTIONS, 1);
    const name = positionals[0];
    // Loaded only now: the benchmarks (and the test servers they start) are not part of
    // what `airbox serve` and the other commands load.
    const bench = await import('@airbox/bench');
    const runBench = name === undefined ? undefined : BENCHES.get(name);
    if (runBench === undefined) {
      throw new UsageError(name === undefined ? 'name a bench' : `unknown bench '${name}'`);
    }
    await runBench({
      values,
      io,
      bench,
      progress: (m) => io.stderr.write(`bench ${name}: ${m}\n`),
      print: (result, text) =>
        io.stdout.write((values.json ? JSON.stringify(result) : text()) + '\n'),
    });
    return 0;
  },
};

function decode({ values, bench, progress, print }: BenchRun): void {
  const seconds = positiveNumber('seconds', values.seconds, 5);
  progress(`measuring for ${seconds} s…`);
  const result = bench.runDecodeBench(seconds);
  print(result, () => bench.describeDecode(result));
}

async function ingest({ values, bench, progress, print }: BenchRun): Promise<void> {
  const result = await bench.runIngestBench({
    airbox: [process.execPath, AIRBOX],
    durationS: positiveNumber('seconds', values.seconds, 10),
    clients: positiveNumber('clients', values.clients, 100),
    connections: positiveNumber('connections', values.connections, 15_000),
    progress,
  });
  print(result, () => bench.describeIngest(result));
}

async function scaleout({ values, bench, progress, print }: BenchRun): Promise<void> {
  const result = await bench.runScaleoutBench({
    airbox: [process.execPath, AIRBOX],
    durationS: positiveNumber('seconds', values.seconds, 10),
    clients: positiveNumber('clients', values.clients, 100),
    progress,
  });
  print(result, () => bench.describeScaleout(result));
}

/** `--handoff stream` starts a Redis for the receiving serve, stopped afterwards. */
async function sim({ values, io, bench, progress, print }: BenchRun): Promise<void> {
  if (values.handoff !== undefined && values.handoff !== 'stream') {
    throw new UsageError(
      `--handoff takes 'stream' (the default is embedded), got '${values.handoff}'`,
    );
  }
  const redisDir = values.handoff ? mkdtempSync(join(tmpdir(), 'airbox-bench-redis-')) : null;
  const redis = redisDir ? await bench.startRedisServer(redisDir) : null;
  try {
    const result = await bench.runSimBench({
      serveArgs: redis ? ['--redis', redis.url, '--handoff', 'stream', '--no-refit'] : [],
      fastSpeed: positiveNumber('speed', values.speed, 60),
      airbox: [process.execPath, AIRBOX],
      devices: Math.round(positiveNumber('devices', values.devices, 15_000)),
      windowS: positiveNumber('seconds', values.seconds, 60),
      provision: (dataDir, ids) =>
        withRegistry(dataDirRegistry(dataDir), io.now, (r) => simCredentials(r.devices, ids)),
      progress,
    });
    print(result, () => bench.describeSim(result));
  } finally {
    redis?.child.kill('SIGTERM');
    if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  }
}

async function api({ values, bench, progress, print }: BenchRun): Promise<void> {
  const result = await bench.runApiBench({
    rows: Math.round(positiveNumber('rows', values.rows, 20_000_000)),
    path: values.path,
    progress,
  });
  print(result, () => bench.describeApiBench(result));
}

function surface({ values, bench, progress, print }: BenchRun): void {
  const result = bench.runSurfaceBench({
    points: Math.round(positiveNumber('points', values.points, 15_000)),
    size: Math.round(positiveNumber('size', values.size, 512)),
    runs: Math.max(1, Math.round(positiveNumber('runs', values.runs, 5))),
    progress,
  });
  print(result, () => bench.describeSurface(result));
}

async function health({ values, bench, progress, print }: BenchRun): Promise<void> {
  const whole = (flag: string, value: string | undefined, fallback: number) =>
    Math.round(positiveNumber(flag, value, fallback));
  const result = await bench.runHealthBench({
    seeds: whole('seeds', values.seeds, 5),
    boxes: whole('boxes', values.boxes, 400),
    days: Math.max(15, whole('days', values.days, 20)),
    progress,
  });
  print(result, () => bench.describeHealth(result));
}

/** `--only a,b`: the attacks named, each checked; all of them without it. */
async function attack({ values, bench, progress, print }: BenchRun): Promise<void> {
  const only = values.only?.split(',').map((name) => name.trim());
  const unknown = only?.find((name) => !bench.isAttackName(name));
  if (unknown !== undefined) {
    throw new UsageError(
      `--only: unknown attack '${unknown}' (attacks: ${bench.ATTACK_NAMES.join(', ')})`,
    );
  }
  const result = await bench.runAttackBench({
    airbox: [process.execPath, AIRBOX],
    only: only?.filter(bench.isAttackName),
    progress,
  });
  print(result, () => bench.describeAttack(result));
}

/** `--registry postgres|sqlite`: that one; both without it. */
async function reconnect({ values, bench, progress, print }: BenchRun): Promise<void> {
  const kind = values.registry;
  if (kind !== undefined && !bench.isRegistryKind(kind)) {
    throw new UsageError(
      `--registry takes ${bench.REGISTRY_KINDS.join(' or ')} (both without it), got '${kind}'`,
    );
  }
  const result = await bench.runReconnectBench({
    airbox: [process.execPath, AIRBOX],
    boxes: Math.round(positiveNumber('boxes', values.boxes, bench.RECONNECT_TARGETS.boxes)),
    registries: kind === undefined ? [...bench.REGISTRY_KINDS] : [kind],
    progress,
  });
  print(result, () => bench.describeReconnect(result));
}

async function lag({ values, bench, progress, print }: BenchRun): Promise<void> {
  const whole = (flag: string, value: string | undefined, fallback: number) =>
    Math.round(positiveNumber(flag, value, fallback));
  const d = bench.FULL_LAG_SIZES;
  const result = await bench.runLagBench({
    airbox: [process.execPath, AIRBOX],
    sizes: {
      boxes: whole('boxes', values.boxes, d.boxes),
      days: whole('days', values.days, d.days),
      ratePerS: whole('rate', values.rate, d.ratePerS),
      seconds: whole('seconds', values.seconds, d.seconds),
    },
    progress,
  });
  print(result, () => bench.describeLag(result));
}

async function archive({ values, bench, progress, print }: BenchRun): Promise<void> {
  const boxes = Math.round(positiveNumber('boxes', values.boxes, bench.ARCHIVE_TARGETS.boxes));
  const result = await bench.runArchiveBench({
    airbox: [process.execPath, AIRBOX],
    boxes,
    progress,
  });
  print(result, () => bench.describeArchive(result));
}

async function refit({ values, bench, progress, print }: BenchRun): Promise<void> {
  const whole = (flag: string, value: string | undefined, fallback: number) =>
    Math.round(positiveNumber(flag, value, fallback));
  const d = bench.FULL_REFIT_SIZES;
  const result = await bench.runRefitBench({
    airbox: [process.execPath, AIRBOX],
    sizes: {
      boxes: whole('boxes', values.boxes, d.boxes),
      days: whole('days', values.days, d.days),
      windowDays: whole('window-days', values['window-days'], d.windowDays),
      intervalMin: whole('interval-min', values['interval-min'], d.intervalMin),
    },
    progress,
  });
  print(result, () => bench.describeRefit(result));
}

const BENCHES = new Map<string, (run: BenchRun) => void | Promise<void>>([
  ['decode', decode],
  ['ingest', ingest],
  ['scaleout', scaleout],
  ['sim', sim],
  ['api', api],
  ['surface', surface],
  ['health', health],
  ['attack', attack],
  ['reconnect', reconnect],
  ['lag', lag],
  ['refit', refit],
  ['archive', archive],
]);
