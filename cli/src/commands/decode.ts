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
    const ctx: DecodeContext = { nowMs: io.now() };
    if (values['received-at'] !== undefined) {
      const ms = Date.parse(values['received-at']);
      if (Number.isNaN(ms)) {
        throw new UsageError(
          `--received-at must be an ISO 8601 time, got '${values['received-at']}'`,
        );
      }
      ctx.receivedAtMs = ms;
    }
    const file = positionals[0];
    const input = file === undefined || file === '-' ? io.stdin : createReadStream(file);
    const source = file ?? 'stdin';
    const stats = { lines: 0, readings: 0, errors: 0, errorCodes: new Map<string, number>() };
    const progress = progressReporter(io, 'decode', () => `${stats.lines} lines`);

    const lines = createInterface({ input, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        stats.lines++;
        progress.tick();
        if (line.trim() === '') continue;
        for (const result of decodeLine(line, ctx)) {
          if (result.ok) {
            stats.readings += result.readings.length;
            for (const r of result.readings) await writeLine(io.stdout, JSON.stringify(r));
          } else {
            stats.errors++;
            const code = result.error.code;
            stats.errorCodes.set(code, (stats.errorCodes.get(code) ?? 0) + 1);
            const error = { ...result.error, line: stats.lines };
            await writeLine(io.stdout, JSON.stringify({ error }));
          }
        }
      }
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

function decodeLine(line: string, ctx: DecodeContext): DecodeResult[] {
  const { topic, payload } = parseCaptureLine(line);
  return topic === null ? decodeDocument(payload, ctx) : [decodeMessage(topic, payload, ctx)];
}
