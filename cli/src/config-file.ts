import { readFileSync, statSync } from 'node:fs';
import { UsageError } from './io.ts';

/**
 * `--config FILE`: the options of any command from a file, for systemd-managed installs
 * (`ExecStart=airbox serve --config /etc/airbox/serve.conf`). Format, one option a line:
 *
 *   # comment
 *   data-dir = /var/lib/airbox     # a comment after whitespace
 *   demo = true                    # switches take true or false
 *   map-style = "https://tiles.example/style.json#v2"   # quotes keep spaces and #
 *
 * The name is the long flag without `--`. Flags on the command line win over the file.
 * Secrets stay in the environment: a file that names one is refused.
 */

/** The line every command's usage shows for `--config`. */
export const CONFIG_USAGE =
  '  --config FILE  options from FILE, one `name = value` a line (# comments, "quoted" values); flags given here win';

/** A config file is a few dozen lines; a bigger one is the wrong file. */
const MAX_CONFIG_BYTES = 1024 * 1024;

export interface ConfigEntry {
  key: string;
  value: string;
  /** 1-based, for error messages. */
  line: number;
}

/** What parseArgs needs to know of an option to accept it from a file. */
export interface ConfigOptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean | undefined;
}

export type ConfigValue = string | boolean | (string | boolean)[];

function problemAt(file: string, line: number, problem: string): UsageError {
  return new UsageError(`config file ${file} line ${line}: ${problem}`);
}

/** Outside text quoted for a message, cut so a binary file does not flood the terminal. */
function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

type Parsed = { value: string } | { problem: string };

/** `"a \"b\" # c"  # comment` → `a "b" # c`; only `\"` and `\\` are escapes. */
function quotedValue(raw: string): Parsed {
  let value = '';
  for (let i = 1; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && (raw[i + 1] === '"' || raw[i + 1] === '\\')) {
      value += raw[++i];
    } else if (c === '"') {
      const rest = raw.slice(i + 1).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        return { problem: `unexpected text after the closing quote: ${shown(rest)}` };
      }
      return { value };
    } else {
      value += c;
    }
  }
  return { problem: 'the quoted value has no closing "' };
}

function lineValue(key: string, raw: string): Parsed {
  if (raw.startsWith('"')) return quotedValue(raw);
  // `#` opens a comment at the start or after whitespace, so `url = http://h/#x` keeps it.
  const comment = /(^|\s)#/.exec(raw);
  const value = (comment === null ? raw : raw.slice(0, comment.index)).trim();
  if (value === '')
    return { problem: `'${key}' has no value (write ${key} = "" for an empty one)` };
  return { value };
}

function entryOf(text: string, line: number, file: string): ConfigEntry {
  const eq = text.indexOf('=');
  if (eq < 0) throw problemAt(file, line, `expected 'name = value', got ${shown(text)}`);
  const key = text.slice(0, eq).trim();
  if (key.startsWith('-')) {
    throw problemAt(
      file,
      line,
      `write the option name without dashes ('${key.replace(/^-+/, '')}')`,
    );
  }
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(key)) {
    throw problemAt(file, line, `${shown(key)} is not an option name`);
  }
  const parsed = lineValue(key, text.slice(eq + 1).trim());
  if ('problem' in parsed) throw problemAt(file, line, parsed.problem);
  return { key, value: parsed.value, line };
}

/** The `name = value` lines of a config file, in order; `file` names it in errors. */
export function parseConfigText(text: string, file: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      entries.push(entryOf(trimmed, i + 1, file));
    });
  return entries;
}

/**
 * Where each secret goes instead (store-options.ts, commands/worker.ts), keyed by
 * `command key` or by key alone. Secrets in files end up in backups, in `ps`-visible argv of
 * wrappers and in config repositories; the environment (systemd `LoadCredential=` or an
 * `EnvironmentFile=` only root reads) keeps them out of all three.
 */
const SECRET_ENV: Record<string, string> = {
  'worker password': 'AIRBOX_WORKER_PASSWORD',
  'influx-password': 'AIRBOX_INFLUX_PASSWORD',
  token: 'AIRBOX_INFLUX_TOKEN',
  'influx-token': 'AIRBOX_INFLUX_TOKEN',
};

function isSecret(key: string): boolean {
  return /(^|-)(password|token)$/.test(key);
}

function secretProblem(key: string, command: string | undefined): string {
  const env = SECRET_ENV[`${command} ${key}`] ?? SECRET_ENV[key];
  const where =
    env === undefined
      ? 'the environment variable its usage names'
      : `the ${env} environment variable`;
  return `'${key}' is a secret and is never read from a file; set it in ${where} instead`;
}

function commandName(command: string | undefined): string {
  return command === undefined ? 'this command' : `airbox ${command}`;
}

function switchValue(entry: ConfigEntry, file: string): boolean {
  if (entry.value === 'true') return true;
  if (entry.value === 'false') return false;
  throw problemAt(
    file,
    entry.line,
    `'${entry.key}' is a switch: write true or false, got ${shown(entry.value)}`,
  );
}

/**
 * The values of a command's options from a parsed file: switches as booleans, repeatable
 * options as arrays (a key may then repeat, as the flag does), everything else a string.
 */
export function configValues(
  entries: readonly ConfigEntry[],
  options: Readonly<Record<string, ConfigOptionSpec>>,
  where: { file: string; command?: string | undefined },
): Map<string, ConfigValue> {
  const { file, command } = where;
  const values = new Map<string, ConfigValue>();
  const firstLine = new Map<string, number>();
  for (const entry of entries) {
    const { key, line } = entry;
    if (isSecret(key)) throw problemAt(file, line, secretProblem(key, command));
    if (key === 'config') throw problemAt(file, line, 'a config file cannot name another one');
    const spec = Object.hasOwn(options, key) ? options[key] : undefined;
    if (spec === undefined) {
      throw problemAt(file, line, `${commandName(command)} has no option '${key}'`);
    }
    const seen = firstLine.get(key);
    if (seen !== undefined && spec.multiple !== true) {
      throw problemAt(file, line, `'${key}' is given twice (lines ${seen} and ${line})`);
    }
    firstLine.set(key, seen ?? line);
    const value = spec.type === 'boolean' ? switchValue(entry, file) : entry.value;
    if (spec.multiple !== true) {
      values.set(key, value);
    } else {
      const list = values.get(key);
      values.set(key, [...(Array.isArray(list) ? list : []), value]);
    }
  }
  return values;
}

function readProblem(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied (the user running airbox must be able to read it)';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error.message;
  }
}

/** The text of a config file, or a usage error naming it and why it cannot be read. */
export function readConfigFile(file: string): string {
  try {
    const { size } = statSync(file);
    if (size > MAX_CONFIG_BYTES) {
      throw new UsageError(
        `config file ${file} is ${size} bytes; a config file holds a few options (at most 1 MiB)`,
      );
    }
    return readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `cannot read config file ${file}: ${readProblem(e as NodeJS.ErrnoException)}`,
    );
  }
}

/** Reads, parses and checks `file` against a command's options. */
export function loadConfigFile(
  file: string,
  options: Readonly<Record<string, ConfigOptionSpec>>,
  command?: string,
): Map<string, ConfigValue> {
  return configValues(parseConfigText(readConfigFile(file), file), options, { file, command });
}
