import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  decodeDocument,
  decodeMessage,
  parseCaptureLine,
  type DecodeContext,
  type DecodeResult,
} from '@airbox/protocol';
import { parseCommandArgs } from '../args.ts';
import { UsageError, writeLine, type CliIo, type Command } from '../io.ts';
import { progressReporter } from '../progress.ts';

const usage = `usage: airbox decode [FILE] [--strict] [--received-at ISO]

Reads recorded messages from FILE (or stdin), one per line: '<topic> <payload>', a bare
LASS payload or JSON reading, a Python bytes repr (b'|…'), or a whole LASS open-data
archive ({"feeds": […]}, one record per output line).
Writes one JSON object per reading to stdout, or {"error": {"code", "message", "line"}}.
A summary goes to stderr.

  --strict            exit 1 when any line failed to decode
  --received-at ISO   treat every message as received at this time (enables clock-skew
                      checks, and replaces invalid device clocks with it)`;

/** What a run counted, for the summary on stderr. */
interface DecodeStats {
  lines: number;
  readings: number;
  errors: number;
  errorCodes: Map<string, number>;
}

export const decodeCommand: Command = {
  name: 'decode',
  summary: 'decode LASS / native payloads into normalized readings (JSON lines)',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { strict: { type: 'boolean' }, 'received-at': { type: 'string' } },
      1,
    );
    const ctx = decodeContext(values['received-at'], io.now());
    const file = positionals[0];
    const input = file === undefined || file === '-' ? io.stdin : createReadStream(file);
    const source = file ?? 'stdin';
    const stats: DecodeStats = { lines: 0, readings: 0, errors: 0, errorCodes: new Map() };
    const progress = progressReporter(io, 'decode', () => `${stats.lines} lines`);
    try {
      const lines = createInterface({ input, crlfDelay: Infinity });
      await decodeLines(lines, ctx, stats, io, () => progress.tick());
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new Error(
        `cannot read ${source}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
      );
    } finally {
      progress.done();
    }
    const codes = [...stats.errorCodes].map(([c, n]) => `${c}: ${n}`).join(', ');
    io.stderr.write(
      `decode: ${source}: ${stats.lines} lines, ${stats.readings} readings, ${stats.errors} errors` +
        (codes ? ` (${codes})` : '') +
        '\n',
    );
    return values.strict && stats.errors > 0 ? 1 : 0;
  },
};

/** Each line's readings, or its error, as JSON lines on stdout. */
async function decodeLines(
  lines: AsyncIterable<string>,
  ctx: DecodeContext,
  stats: DecodeStats,
  io: CliIo,
  tick: () => void,
): Promise<void> {
  for await (const line of lines) {
    stats.lines++;
    tick();
    if (line.trim() === '') continue;
    for (const result of decodeLine(line, ctx)) await writeResult(result, stats, io);
  }
}

/** Now, and with --received-at the time every message is taken to have arrived. */
function decodeContext(receivedAt: string | undefined, nowMs: number): DecodeContext {
  const ctx: DecodeContext = { nowMs };
  if (receivedAt !== undefined) {
    const ms = Date.parse(receivedAt);
    if (Number.isNaN(ms)) {
      throw new UsageError(`--received-at must be an ISO 8601 time, got '${receivedAt}'`);
    }
    ctx.receivedAtMs = ms;
  }
  return ctx;
}

async function writeResult(result: DecodeResult, stats: DecodeStats, io: CliIo): Promise<void> {
  if (result.ok) {
    stats.readings += result.readings.length;
    for (const r of result.readings) await writeLine(io.stdout, JSON.stringify(r));
    return;
  }
  stats.errors++;
  const code = result.error.code;
  stats.errorCodes.set(code, (stats.errorCodes.get(code) ?? 0) + 1);
  const error = { ...result.error, line: stats.lines };
  await writeLine(io.stdout, JSON.stringify({ error }));
}

function decodeLine(line: string, ctx: DecodeContext): DecodeResult[] {
  const { topic, payload } = parseCaptureLine(line);
  return topic === null ? decodeDocument(payload, ctx) : [decodeMessage(topic, payload, ctx)];
}
