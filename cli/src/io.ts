import { CodedError } from '@airbox/contracts';
import type { Readable, Writable } from 'node:stream';

/** The streams a subcommand talks to; injected so tests run commands in memory. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** Epoch milliseconds; injected so runs over recorded data are exact. */
  now: () => number;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(argv: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: printed with the command's usage, exit code 2. */
export class UsageError extends CodedError<'usage'> {
  constructor(message: string) {
    super('usage', message);
  }
}

/** Writes respecting back-pressure, so piping a million lines does not buffer them all. */
export async function writeLine(out: Writable, line: string): Promise<void> {
  if (!out.write(line + '\n')) {
    await new Promise<void>((resolve) => out.once('drain', resolve));
  }
}
