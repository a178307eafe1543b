import { packageFile } from '@airbox/geo';
import { runIngestBench } from '@airbox/ingest/bench';
import { runDecodeBench, type DecodeBenchResult } from '@airbox/protocol/bench/decode';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox bench <name> [options] [--json]

Measures and prints what it measured; --json prints one JSON object instead.

benches:
  decode    LASS payloads decoded and validated per second on one core (from bytes)
  ingest    readings/s published → stored end to end, p50/p99 latency, server CPU and
            RSS, 15,000 held connections; the broker alone and Debian's Mosquitto
            relaying the same load, and the ratios

  --seconds N       how long each measurement runs (default: decode 5, ingest 10)
  --clients N       ingest: publishing clients (default 100)
  --connections N   ingest: connections to hold for the memory check (default 15000)
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
  summary: 'measure throughput, latency and memory (decode, ingest)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        seconds: { type: 'string' },
        clients: { type: 'string' },
        connections: { type: 'string' },
        json: { type: 'boolean' },
      },
      1,
    );
    const name = positionals[0];
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
    throw new UsageError(name === undefined ? 'name a bench' : `unknown bench '${name}'`);
  },
};
