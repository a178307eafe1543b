import { packageFile } from '@airbox/geo';
import type {
  DecodeBenchResult,
  runIngestBench,
  runScaleoutBench,
  runSimBench,
  SurfaceBenchResult,
} from '@airbox/bench';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, simCredentials } from '../sim-credentials.ts';
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
  --json            one JSON object on stdout`;

const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const AIRBOX = packageFile(import.meta.url, '@airbox/cli', 'bin/airbox.js');

function describeDecode(r: DecodeBenchResult): string {
  return [
    `bench decode: ${fmt(r.payloads)} LASS payloads in ${r.seconds} s on one core`,
    `  ${fmt(r.perSecond)} payloads/s decoded and validated (${fmt(r.decodedOk)} decoded to readings)`,
    `  corpus: ${r.corpus.realPayloads} real LASS lines + ${r.corpus.generatedV3} AirBox-style ver_format=3`,
    `  target ≥ ${fmt(r.targetPerSecond)}/s: ${r.targetMet ? 'met' : 'NOT met'}  (${r.cpu}, Node ${r.node})`,
  ].join('\n');
}

function describeScaleout(r: Awaited<ReturnType<typeof runScaleoutBench>>): string {
  const b = r.broker;
  const w = r.worker;
  return [
    `bench scaleout: ${r.clients} clients, one reading a message`,
    `  broker (stream handoff): ${fmt(b.perS)} readings/s acknowledged after the Redis append, p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms`,
    `    broker ${b.serverCpuCores} cores, peak RSS ${mb(b.serverPeakRssBytes)}; Redis ${b.redisCpuCores} cores, RSS ${mb(b.redisRssBytes)}`,
    `    a second broker of the cluster with no clients: ${b.otherBrokerCpuCores} cores (mqemitter-redis brings a broker only the topics its clients subscribe to)`,
    `  one stream worker → SQLite: ${fmt(w.stored)} of ${fmt(w.queued)} stored in ${w.drainS} s = ${fmt(w.perS)} readings/s, ${w.cpuCores} cores, peak RSS ${mb(w.peakRssBytes)}`,
    r.influxWorker
      ? `  one stream worker → InfluxDB 1.x: ${fmt(r.influxWorker.stored)} of ${fmt(r.influxWorker.queued)} stored in ${r.influxWorker.drainS} s = ${fmt(r.influxWorker.perS)} readings/s, worker ${r.influxWorker.cpuCores} cores, influxd ${r.influxWorker.storeCpuCores} cores`
      : '  (no InfluxDB worker: influxd not installed)',
  ].join('\n');
}

function describeSurface(r: SurfaceBenchResult): string {
  const t = r.targets;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const km = (m: number) => `${Math.round(m / 100) / 10} km`;
  const f = r.kriging.fitted;
  const field = r.field;
  return [
    `bench surface: ${fmt(r.points)} synthetic Taiwan-like boxes on a ${r.grid} grid, median of ${r.runs} runs, one thread (leave-one-out included)`,
    `  IDW (power 2, 12 nearest): ${r.idw.wallMs} ms wall, ${r.idw.cpuMs} ms CPU`,
    `    target < ${t.idwMs} ms (for 15,000 boxes on 512²): ${verdict(t.idwMet)} (on CPU time: ${verdict(t.idwCpuMet)})`,
    `    leave-one-out RMSE ${r.idw.looRmse}, MAE ${r.idw.looMae} µg/m³ over ${fmt(r.idw.looN)} boxes; ${fmt(r.idw.cellsPainted)} of ${fmt(r.cells)} cells painted`,
    `  ordinary kriging (16 nearest, ${fmt(r.kriging.tiles)} shared-neighbour tiles): ${r.kriging.wallMs} ms wall, ${r.kriging.cpuMs} ms CPU`,
    `    target < ${t.krigingMs} ms (for 15,000 boxes on 512²): ${verdict(t.krigingMet)} (on CPU time: ${verdict(t.krigingCpuMet)})`,
    `    leave-one-out RMSE ${r.kriging.looRmse}, MAE ${r.kriging.looMae} µg/m³ over ${fmt(r.kriging.looN)} boxes; ${fmt(r.kriging.cellsPainted)} cells painted`,
    `    fitted ${f.model}: nugget ${f.nugget.toFixed(1)}, partial sill ${f.psill.toFixed(1)} (µg/m³)², range ${km(f.rangeM)}`,
    `    true field: ${field.covariance}, nugget ${field.noiseUgM3 ** 2}, partial sill ${field.sigmaUgM3 ** 2} (µg/m³)², range ${km(field.rangeM)}`,
    `  (${r.cpu}, Node ${r.node}; wall time counts other load on the machine, CPU time does not)`,
  ].join('\n');
}

type SimResult = Awaited<ReturnType<typeof runSimBench>>;

function describeSim(r: SimResult): string {
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const rt = r.realtime;
  return [
    `bench sim: ${fmt(rt.boxes)} virtual boxes, each on its own MQTT connection to airbox serve (${r.receiver === 'embedded' ? 'storing readings itself' : 'handing them to a Redis stream; acknowledged once appended'})`,
    `  real time (60 s interval): connected in ${rt.connectS} s; over ${rt.windowS} s ${rt.readingsAckedPerS} readings/s acknowledged (${rt.expectedPerS} expected)`,
    `    simulator CPU ${rt.cpuCores} cores (target < 1: ${verdict(r.targets.realtimeCpuMet)}), RSS ${mb(rt.rssBytes)}, peak ${mb(rt.peakRssBytes)} (target < 1 GB: ${verdict(r.targets.realtimeRssMet)})`,
    `  fast (${r.fast.speed}×: ${fmt(r.fast.generatedPerS)} readings/s made, a batch per box every ${r.fast.batchEveryS} s): ${fmt(r.fast.readingsAckedPerS)} readings/s acknowledged (target ≥ 15,000: ${verdict(r.targets.fastRateMet)}), simulator CPU ${r.fast.cpuCores} cores, server CPU ${r.fast.serverCpuCores} cores, backlog at end ${fmt(r.fast.backlogAtEnd)}`,
    `  alone (in-memory links, as fast as it goes): ${fmt(r.alone.readings)} readings, ${fmt(r.alone.readingsPerS)}/s, ${r.alone.cpuMicrosPerReading} µs CPU a reading = ${fmt(r.alone.readingsPerCpuS)} readings per CPU second (≥ 15,000: ${verdict(r.targets.aloneRateMet)})`,
    `  (Node ${r.node}; the server runs in its own process on the same 2 cores)`,
  ].join('\n');
}

type IngestResult = Awaited<ReturnType<typeof runIngestBench>>;

function describeIngest(r: IngestResult): string {
  const t = r.targets;
  const e = r.endToEnd;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines = [
    `bench ingest: ${r.clients} MQTT clients, ${r.durationS} s per run, load generator on the same machine`,
    `  end to end (publish → stored, SQLite): ${fmt(e.perS)} readings/s, p50 ${e.p50Ms} ms, p99 ${e.p99Ms} ms`,
    `    server CPU ${e.serverCpuCores} cores, peak RSS ${mb(e.serverPeakRssBytes)}; acked ${fmt(e.acked)}, stored ${fmt(e.stored)}, lost ${e.lost}`,
    `    target ≥ ${fmt(t.endToEndPerS)}/s with zero loss: ${verdict(e.perS >= t.endToEndPerS && e.lost === 0)}`,
    `  at a steady ${fmt(r.fixedRate.ratePerS)}/s: p50 ${r.fixedRate.p50Ms} ms, p99 ${r.fixedRate.p99Ms} ms (${fmt(r.fixedRate.acked)} of ${fmt(r.fixedRate.sent)} acked)`,
    `    target p99 < ${t.p99AtFixedRateMs} ms: ${verdict(r.fixedRate.p99Ms < t.p99AtFixedRateMs)}`,
    `  ${fmt(r.connections.accepted)} of ${fmt(r.connections.requested)} connections held (V8 heap capped at ${r.connections.heapCapMb} MB): server RSS ${mb(r.connections.serverRssBytes)} (uncapped ${mb(r.connections.uncappedServerRssBytes)}; idle ${mb(r.connections.idleServerRssBytes)}, ${fmt(Math.round(r.connections.perConnectionBytes / 1024))} KB a connection)`,
    `    target < ${mb(t.connectionsRssBytes)} at ${fmt(t.connections)}: ${verdict(r.connections.accepted >= t.connections && r.connections.serverRssBytes < t.connectionsRssBytes)}`,
    `  broker alone (no worker) relaying to a subscriber: ${fmt(r.brokerAlone.perS)} acked/s, ${fmt(r.brokerAlone.relayedPerS)} relayed/s, server CPU ${r.brokerAlone.serverCpuCores} cores`,
  ];
  if (r.mosquitto) {
    lines.push(
      `  Debian Mosquitto relaying the same load: ${fmt(r.mosquitto.perS)} acked/s, ${fmt(r.mosquitto.relayedPerS)} relayed/s, CPU ${r.mosquitto.serverCpuCores} cores`,
    );
  } else {
    lines.push('  Debian Mosquitto: not installed, not measured');
  }
  lines.push(
    `  ratios: end to end / broker alone ${r.ratios.endToEndVsBrokerAlone}` +
      (r.mosquitto
        ? `; end to end / Mosquitto ${r.ratios.endToEndVsMosquitto}; broker alone / Mosquitto ${r.ratios.brokerAloneVsMosquitto}`
        : ''),
  );
  return lines.join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure throughput, latency and memory (decode, ingest, sim, api, surface)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    // The soak has options of its own (bench-soak.ts): `airbox bench soak [options]`.
    if (argv[0] === 'soak') return runSoakBench(argv.slice(1), io, [process.execPath, AIRBOX]);
    if (argv[0] === 'soak-sim') return runSoakSim(argv.slice(1), io);
    const { values, positionals } = parseCommandArgs(
      argv,
      {
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
        json: { type: 'boolean' },
      },
      1,
    );
    const name = positionals[0];
    // Loaded only now: the benchmarks (and the test servers they start) are not part of
    // what `airbox serve` and the other commands load.
    const {
      describeApiBench,
      runApiBench,
      runDecodeBench,
      runIngestBench,
      runScaleoutBench,
      runSimBench,
      runSurfaceBench,
      startRedisServer,
    } = await import('@airbox/bench');
    const progress = (m: string) => io.stderr.write(`bench ${name}: ${m}\n`);
    const print = (result: unknown, text: () => string) =>
      io.stdout.write((values.json ? JSON.stringify(result) : text()) + '\n');
    if (name === 'decode') {
      const seconds = positiveNumber('seconds', values.seconds, 5);
      progress(`measuring for ${seconds} s…`);
      const result = runDecodeBench(seconds);
      print(result, () => describeDecode(result));
      return 0;
    }
    if (name === 'ingest') {
      const result = await runIngestBench({
        airbox: [process.execPath, AIRBOX],
        durationS: positiveNumber('seconds', values.seconds, 10),
        clients: positiveNumber('clients', values.clients, 100),
        connections: positiveNumber('connections', values.connections, 15_000),
        progress,
      });
      print(result, () => describeIngest(result));
      return 0;
    }
    if (name === 'scaleout') {
      const result = await runScaleoutBench({
        airbox: [process.execPath, AIRBOX],
        durationS: positiveNumber('seconds', values.seconds, 10),
        clients: positiveNumber('clients', values.clients, 100),
        progress,
      });
      print(result, () => describeScaleout(result));
      return 0;
    }
    if (name === 'sim') {
      if (values.handoff !== undefined && values.handoff !== 'stream') {
        throw new UsageError(
          `--handoff takes 'stream' (the default is embedded), got '${values.handoff}'`,
        );
      }
      const redisDir = values.handoff ? mkdtempSync(join(tmpdir(), 'airbox-bench-redis-')) : null;
      const redis = redisDir ? await startRedisServer(redisDir) : null;
      try {
        const result = await runSimBench({
          serveArgs: redis ? ['--redis', redis.url, '--handoff', 'stream', '--no-refit'] : [],
          fastSpeed: positiveNumber('speed', values.speed, 60),
          airbox: [process.execPath, AIRBOX],
          devices: Math.round(positiveNumber('devices', values.devices, 15_000)),
          windowS: positiveNumber('seconds', values.seconds, 60),
          provision: (dataDir, ids) => {
            const registry = openRegistry(dataDir, io.now);
            try {
              return simCredentials(registry, ids);
            } finally {
              registry.close();
            }
          },
          progress,
        });
        print(result, () => describeSim(result));
        return 0;
      } finally {
        redis?.child.kill('SIGTERM');
        if (redisDir) rmSync(redisDir, { recursive: true, force: true });
      }
    }
    if (name === 'api') {
      const result = await runApiBench({
        rows: Math.round(positiveNumber('rows', values.rows, 20_000_000)),
        path: values.path,
        progress,
      });
      print(result, () => describeApiBench(result));
      return 0;
    }
    if (name === 'surface') {
      const result = runSurfaceBench({
        points: Math.round(positiveNumber('points', values.points, 15_000)),
        size: Math.round(positiveNumber('size', values.size, 512)),
        runs: Math.max(1, Math.round(positiveNumber('runs', values.runs, 5))),
        progress,
      });
      print(result, () => describeSurface(result));
      return 0;
    }
    throw new UsageError(name === undefined ? 'name a bench' : `unknown bench '${name}'`);
  },
};
