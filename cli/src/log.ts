import type { CliIo } from './io.ts';

/** Structured logs of long-running commands: one JSON object per line on stderr. */
export type JsonLog = (event: string, fields: Record<string, unknown>) => void;

export function jsonLogger(io: CliIo): JsonLog {
  return (event, fields) =>
    io.stderr.write(
      JSON.stringify({ time: new Date(io.now()).toISOString(), event, ...fields }) + '\n',
    );
}
