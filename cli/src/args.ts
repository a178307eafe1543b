import { AsyncLocalStorage } from 'node:async_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfigFile } from './config-file.ts';
import { UsageError } from './io.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

type Parsed<T extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>;

/**
 * The subcommand being run, so a config-file error can say "airbox serve has no option 'x'"
 * without every command passing its name to parseCommandArgs. Set by main() around
 * `command.run`; a context, not state: each run sees its own.
 */
const runningCommand = new AsyncLocalStorage<string>();

/** Runs `fn` as subcommand `name` (see parseCommandArgs's config-file errors). */
export function runAsCommand<R>(name: string, fn: () => R): R {
  return runningCommand.run(name, fn);
}

const CONFIG_OPTION = { config: { type: 'string' } } as const;

/**
 * `node:util` parseArgs, with its errors turned into usage errors that name the flag, and
 * `--config FILE` accepted by every command: the file's options are the defaults, the
 * flags on the command line win (config-file.ts). A command that declares its own
 * `config` option keeps it, and no file is read for it.
 */
export function parseCommandArgs<T extends Options>(
  argv: string[],
  options: T,
  maxPositionals = 0,
): Parsed<T> {
  const injectConfig = !Object.hasOwn(options, 'config');
  const all: Options = injectConfig ? { ...options, ...CONFIG_OPTION } : options;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: all,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[maxPositionals]}'`);
  }
  const values: Record<string, unknown> = { ...parsed.values };
  const file = values['config'];
  if (injectConfig && typeof file === 'string') {
    delete values['config'];
    // Options given on the command line, even ones equal to a default, are not overridden.
    const given = new Set(parsed.tokens.flatMap((t) => (t.kind === 'option' ? [t.name] : [])));
    for (const [key, value] of loadConfigFile(file, options, runningCommand.getStore())) {
      if (!given.has(key)) values[key] = value;
    }
  }
  // The values are what parseArgs would have produced had the file's options been flags.
  return { values, positionals: parsed.positionals } as Parsed<T>;
}

/** A positive number from a flag, or a usage error naming the flag and the value. */
export function positiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${flag} must be a positive number, got '${value}'`);
  }
  return n;
}

const DURATION = /^(\d+(?:\.\d+)?)(m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration such as 30m, 24h or 7d from a flag, in milliseconds; a usage error otherwise. */
export function durationMs(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const m = DURATION.exec(value.trim());
  const ms = m === null ? NaN : Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  if (!(ms > 0)) {
    throw new UsageError(`--${flag} must be a duration such as 30m, 24h or 7d, got '${value}'`);
  }
  return ms;
}
