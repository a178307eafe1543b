import { runDecodeBench, type DecodeBenchResult } from '@airbox/protocol/bench/decode';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox bench <name> [--seconds N] [--json]

Measures and prints what it measured; --json prints one JSON object instead.

benches:
  decode    LASS payloads decoded and validated per second on one core (from bytes)

  --seconds N   how long to measure (default 5)
  --json        one JSON object on stdout`;

const fmt = (n: number) => n.toLocaleString('en-US');

function describeDecode(r: DecodeBenchResult): string {
  return [
    `bench decode: ${fmt(r.payloads)} LASS payloads in ${r.seconds} s on one core`,
    `  ${fmt(r.perSecond)} payloads/s decoded and validated (${fmt(r.decodedOk)} decoded to readings)`,
    `  corpus: ${r.corpus.realPayloads} real LASS lines + ${r.corpus.generatedV3} AirBox-style ver_format=3`,
    `  target ≥ ${fmt(r.targetPerSecond)}/s: ${r.targetMet ? 'met' : 'NOT met'}  (${r.cpu}, Node ${r.node})`,
  ].join('\n');
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure throughput (decode; more as the system grows)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { seconds: { type: 'string' }, json: { type: 'boolean' } },
      1,
    );
    const seconds = positiveNumber('seconds', values.seconds, 5);
    const name = positionals[0];
    if (name !== 'decode') {
      throw new UsageError(name === undefined ? 'name a bench' : `unknown bench '${name}'`);
    }
    if (!values.json) io.stderr.write(`bench decode: measuring for ${seconds} s…\n`);
    const result = runDecodeBench(seconds);
    io.stdout.write((values.json ? JSON.stringify(result) : describeDecode(result)) + '\n');
    return 0;
  },
};
