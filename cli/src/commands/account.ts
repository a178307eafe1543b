import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RegistryError, type ApiKey, type KeyQuota, type Registry } from '@airbox/registry';
import { durationMs, parseCommandArgs } from '../args.ts';
import { wholeNumber } from '../serve/options.ts';
import { UsageError, type CliIo, type Command } from '../io.ts';
import { accountNamed } from '../registry-lookups.ts';
import {
  REGISTRY_OPTIONS,
  REGISTRY_USAGE,
  registryLocation,
  reportRegistryError,
  withRegistry,
} from '../registry-options.ts';

const usage = `usage: airbox account <add|list|set|reset-link|key-quota> [EMAIL] [--data-dir DIR] [--registry FILE|URL]

  add EMAIL         a new account; prints {"id","email","displayName","operator","createdAt",
                    "password"} as JSON. The password is random and shown only once (the
                    registry keeps a scrypt hash); it signs in at http://SERVER:8080/sign-in
    --name NAME       the name its pages show (default: EMAIL before the @)
    --operator        an operator: signed in, may change any box, open any organisation's
                      page and assign an anonymous LASS box to an owner
    --password-stdin  the password is the first line of stdin instead (at least 10
                      characters, not the e-mail); then none is printed
  list              one JSON object per account, by e-mail (no password hashes)
  set EMAIL         --operator makes the account an operator, --no-operator takes it back
  reset-link EMAIL  a link that sets a new password, once; prints {"email","link","expiresAt"}.
                    Hand it over yourself (with serve --smtp-url, people can also have
                    one mailed from the sign-in page)
    --base-url URL    the address people open the site at (default http://localhost:8080)
    --ttl DURATION    how long the link works: 30m, 24h, 7d (default 24h, at most 7d)
  key-quota EMAIL|KEY_ID   what API keys may take, above the defaults (3,000 requests a
                    minute, 1 GiB a day): for one key (its id), or for every live key of the
                    account and those it makes later (its e-mail). Prints each key changed
                    as JSON; takes effect on the key's next request
    --per-minute N    requests a minute
    --bytes-per-day N response bytes a UTC day

${REGISTRY_USAGE}`;

const ACTIONS = ['add', 'list', 'set', 'reset-link', 'key-quota'] as const;
type Action = (typeof ACTIONS)[number];
const isAction = (s: string): s is Action => (ACTIONS as readonly string[]).includes(s);

/** The actions each flag goes with; any other use is a usage error, not silently ignored. */
const FLAG_ACTIONS: Readonly<Record<keyof Flags, readonly Action[]>> = {
  name: ['add'],
  operator: ['add', 'set'],
  'no-operator': ['set'],
  'password-stdin': ['add'],
  'base-url': ['reset-link'],
  ttl: ['reset-link'],
  'per-minute': ['key-quota'],
  'bytes-per-day': ['key-quota'],
};

const DEFAULT_BASE_URL = 'http://localhost:8080';
const DEFAULT_RESET_TTL_MS = 24 * 3_600_000;
/** A reset link is as good as the password until it is used: it should not lie around. */
const MAX_RESET_TTL_MS = 7 * 24 * 3_600_000;
/** 120 random bits as 20 base64url characters: well past the 10 the registry asks. */
const GENERATED_PASSWORD_BYTES = 15;

interface Flags {
  name?: string;
  operator?: boolean;
  'no-operator'?: boolean;
  'password-stdin'?: boolean;
  'base-url'?: string;
  ttl?: string;
  'per-minute'?: string;
  'bytes-per-day'?: string;
}

/** What one run does, checked before the registry is opened. */
interface Plan {
  action: Action;
  email: string;
  flags: Flags;
  ttlMs: number;
  baseUrl: URL;
  quota: KeyQuota;
}

export const accountCommand: Command = {
  name: 'account',
  summary: 'people who sign in: add one (an operator too), list, set operator, reset links',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        ...REGISTRY_OPTIONS,
        name: { type: 'string' },
        operator: { type: 'boolean' },
        'no-operator': { type: 'boolean' },
        'password-stdin': { type: 'boolean' },
        'base-url': { type: 'string' },
        ttl: { type: 'string' },
        'per-minute': { type: 'string' },
        'bytes-per-day': { type: 'string' },
      },
      2,
    );
    const plan = planOf(positionals, values);
    const password = plan.flags['password-stdin'] ? await firstLine(io.stdin) : undefined;
    try {
      await withRegistry(registryLocation(values), io.now, (r) => runAction(r, io, plan, password));
      return 0;
    } catch (e) {
      return reportRegistryError(io, `account ${plan.action}`, e);
    }
  },
};

function planOf(positionals: string[], flags: Flags): Plan {
  const [action, email] = positionals;
  if (action === undefined) throw new UsageError('name an action');
  if (!isAction(action)) throw new UsageError(`unknown action '${action}'`);
  if (action !== 'list' && email === undefined) {
    throw new UsageError(`'${action}' needs an e-mail address`);
  }
  if (action === 'list' && email !== undefined) {
    throw new UsageError(`unexpected argument '${email}': 'list' shows every account`);
  }
  for (const flag of Object.keys(FLAG_ACTIONS) as (keyof Flags)[]) {
    const actions = FLAG_ACTIONS[flag];
    if (flags[flag] !== undefined && !actions.includes(action)) {
      const list = actions.map((a) => `'${a}'`).join(' or ');
      throw new UsageError(`--${flag} goes with ${list}, not '${action}'`);
    }
  }
  if (flags.operator && flags['no-operator']) {
    throw new UsageError('give --operator or --no-operator, not both');
  }
  if (action === 'set' && !flags.operator && !flags['no-operator']) {
    throw new UsageError("'set' needs --operator or --no-operator");
  }
  const ttlMs = durationMs('ttl', flags.ttl, DEFAULT_RESET_TTL_MS);
  if (ttlMs > MAX_RESET_TTL_MS) {
    throw new UsageError(
      `--ttl is at most 7d: a reset link works like the password, got '${flags.ttl}'`,
    );
  }
  const baseUrl = baseUrlOf(flags['base-url']);
  return { action, email: email ?? '', flags, ttlMs, baseUrl, quota: quotaOf(action, flags) };
}

/** `--per-minute` and `--bytes-per-day`, whole numbers ≥ 1; key-quota needs one at least. */
function quotaOf(action: Action, flags: Flags): KeyQuota {
  const perMinute = wholeNumber('per-minute', flags['per-minute'], undefined);
  const bytesPerDay = wholeNumber('bytes-per-day', flags['bytes-per-day'], undefined);
  if (action === 'key-quota' && perMinute === undefined && bytesPerDay === undefined) {
    throw new UsageError("'key-quota' needs --per-minute, --bytes-per-day or both");
  }
  return {
    ...(perMinute === undefined ? {} : { perMinute }),
    ...(bytesPerDay === undefined ? {} : { bytesPerDay }),
  };
}

function baseUrlOf(value: string | undefined): URL {
  const text = value ?? DEFAULT_BASE_URL;
  let url: URL | null = null;
  try {
    url = new URL(text);
  } catch {
    // Reported below with the flag's name.
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`--base-url must be an http:// or https:// address, got '${text}'`);
  }
  return url;
}

/** The first line of `input`, without its line ending; an empty one is a usage error. */
async function firstLine(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Uint8Array | string));
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError('--password-stdin read no password from stdin');
  return line;
}

async function runAction(
  registry: Registry,
  io: CliIo,
  plan: Plan,
  password: string | undefined,
): Promise<void> {
  const out = (o: unknown) => io.stdout.write(JSON.stringify(o) + '\n');
  const { action, email, flags } = plan;
  if (action === 'list') for (const a of await registry.accounts.list()) out(a);
  else if (action === 'add') out(await addAccount(registry, email, flags, password));
  else if (action === 'set') {
    const account = await accountNamed(registry, email);
    await registry.accounts.setOperator(account.id, flags.operator === true);
    const what = flags.operator ? 'an operator' : 'no longer an operator';
    io.stderr.write(`account ${account.email} is now ${what}\n`);
  } else if (action === 'key-quota') for (const k of await keyQuota(registry, plan)) out(k);
  else out(await resetLink(registry, email, plan, io.now()));
}

/** An e-mail names the account (its keys, now and later); anything else a key's id. */
async function keyQuota(registry: Registry, { email: target, quota }: Plan): Promise<ApiKey[]> {
  if (target.includes('@')) {
    const account = await accountNamed(registry, target);
    return registry.apiKeys.setAccountQuota(account.id, quota);
  }
  const key = await registry.apiKeys.setQuota(target, quota);
  if (key === null) {
    throw new RegistryError('not-found', `no API key has the id '${target}'`, {
      hint: 'give the key id `GET /api/v1/me/api-keys` lists, or the account e-mail',
    });
  }
  return [key];
}

async function addAccount(
  registry: Registry,
  email: string,
  flags: Flags,
  password: string | undefined,
): Promise<object> {
  const chosen = password ?? randomBytes(GENERATED_PASSWORD_BYTES).toString('base64url');
  const displayName = flags.name ?? email.trim().split('@')[0] ?? '';
  if (displayName.trim() === '') {
    throw new RegistryError('invalid-input', `--name is needed: '${email}' gives no name`);
  }
  const account = await registry.accounts.create({
    email,
    password: chosen,
    displayName,
    operator: flags.operator === true,
  });
  return password === undefined ? { ...account, password: chosen } : account;
}

async function resetLink(
  registry: Registry,
  email: string,
  plan: Plan,
  nowMs: number,
): Promise<object> {
  const account = await accountNamed(registry, email);
  const token = await registry.resets.create(account.id, plan.ttlMs);
  const link = new URL('reset-password', withSlash(plan.baseUrl));
  link.searchParams.set('token', token);
  const expiresAt = new Date(nowMs + plan.ttlMs).toISOString();
  return { email: account.email, link: link.href, expiresAt };
}

/** `https://air.example.org/airbox` and `…/airbox/` both put the page under /airbox/. */
function withSlash(url: URL): URL {
  const copy = new URL(url.href);
  if (!copy.pathname.endsWith('/')) copy.pathname += '/';
  copy.search = '';
  copy.hash = '';
  return copy;
}
