import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '@airbox/registry';
import { tempDir } from '@airbox/testkit';
import { dataDirRegistry } from '../src/registry-options.ts';
import { jsonLines, runCli } from './run.ts';

/**
 * `airbox account`, `airbox org` and `airbox device … --owner` on a data dir, checked
 * against the registry they write. (account-serve.test.ts signs in with what they print.)
 */
const dir = tempDir('cli-account');
afterAll(() => dir.remove());
const cli = (args: string[], stdin = '') => runCli([...args, '--data-dir', dir.path], stdin);

async function withRegistry<T>(job: (r: Awaited<ReturnType<typeof openSqliteRegistry>>) => T) {
  const registry = await openSqliteRegistry(dataDirRegistry(dir.path));
  try {
    return await job(registry);
  } finally {
    await registry.close();
  }
}

describe('airbox account', () => {
  it('adds an account with a random password printed once, which signs in', async () => {
    const { code, stdout } = await cli(['account', 'add', ' Teacher@School.EDU.tw ']);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      email: 'teacher@school.edu.tw',
      displayName: 'Teacher',
      operator: false,
    });
    const password = String(printed['password']);
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    const signedIn = await withRegistry((r) =>
      r.accounts.authenticate('teacher@school.edu.tw', password),
    );
    expect(signedIn?.id).toBe(printed['id']);
  });

  it('takes the password from stdin, then prints none', async () => {
    const { code, stdout } = await cli(
      [
        'account',
        'add',
        'ops@example.org',
        '--name',
        'Night shift',
        '--operator',
        '--password-stdin',
      ],
      'a passphrase of my own\n',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ displayName: 'Night shift', operator: true });
    expect(stdout).not.toContain('password');
    const ok = await withRegistry((r) =>
      r.accounts.authenticate('ops@example.org', 'a passphrase of my own'),
    );
    expect(ok?.operator).toBe(true);
  });

  it.each([
    [['account', 'add', 'teacher@school.edu.tw'], '', 'already exists (exists)'],
    [['account', 'add', 'weak@example.org', '--password-stdin'], 'short\n', '(weak-password)'],
    [['account', 'add', 'not-an-address'], '', "'not-an-address' is not an e-mail address"],
    [
      ['account', 'set', 'nobody@example.org', '--operator'],
      '',
      "no account has the e-mail 'nobody@example.org' (not-found)",
    ],
    [['account', 'reset-link', 'nobody@example.org'], '', '(not-found)'],
  ])('refuses `%j` naming the problem, and changes nothing', async (args, stdin, message) => {
    const { code, stdout, stderr } = await cli(args, stdin);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(jsonLines((await cli(['account', 'list'])).stdout)).toHaveLength(2);
  });

  it.each([
    [['account', 'set', 'ops@example.org'], "'set' needs --operator or --no-operator"],
    [['account', 'list', '--operator'], "--operator goes with 'add' or 'set', not 'list'"],
    [
      ['account', 'reset-link', 'ops@example.org', '--ttl', '1y'],
      'a duration such as 30m, 24h or 7d',
    ],
    [['account', 'reset-link', 'ops@example.org', '--ttl', '8d'], '--ttl is at most 7d'],
    [
      ['account', 'reset-link', 'ops@example.org', '--base-url', 'air.example.org'],
      '--base-url must be an http',
    ],
    [['account', 'add', 'x@example.org', '--password-stdin'], 'read no password from stdin'],
  ])('refuses `%j` as a usage error', async (args, message) => {
    const { code, stderr } = await cli(args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).toContain('usage: airbox account');
  });

  it('lists accounts by e-mail without secrets, and sets and clears the operator flag', async () => {
    expect((await cli(['account', 'set', 'ops@example.org', '--no-operator'])).stderr).toBe(
      'account ops@example.org is now no longer an operator\n',
    );
    await cli(['account', 'set', 'teacher@school.edu.tw', '--operator']);
    const list = jsonLines((await cli(['account', 'list'])).stdout);
    expect(list.map((a) => [a['email'], a['operator']])).toEqual([
      ['ops@example.org', false],
      ['teacher@school.edu.tw', true],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/password|hash|scrypt/);
  });

  it('prints a reset link under the base URL whose token sets a new password once', async () => {
    const { stdout } = await cli([
      'account',
      'reset-link',
      'TEACHER@school.edu.tw',
      '--base-url',
      'https://air.example.org/tw',
      '--ttl',
      '2h',
    ]);
    const printed = JSON.parse(stdout) as { email: string; link: string; expiresAt: string };
    expect(printed.email).toBe('teacher@school.edu.tw');
    expect(printed.expiresAt).toBe(new Date(Date.UTC(2026, 10, 27, 2)).toISOString());
    const link = new URL(printed.link);
    expect(`${link.origin}${link.pathname}`).toBe('https://air.example.org/tw/reset-password');
    const token = link.searchParams.get('token')!;
    // runCli's clock is 2026-11-27T00:00Z: the registry checks expiry against the same one.
    const now = () => Date.UTC(2026, 10, 27, 1);
    const registry = await openSqliteRegistry(dataDirRegistry(dir.path), { now });
    try {
      const id = (await registry.accounts.byEmail('teacher@school.edu.tw'))!.id;
      expect(await registry.resets.consume(token)).toBe(id);
      expect(await registry.resets.consume(token)).toBeNull();
    } finally {
      await registry.close();
    }
  });

  it('sets a key quota by key id, or for every key of an account by its e-mail', async () => {
    await cli(['account', 'add', 'lab@example.org', '--password-stdin'], 'lab passphrase 1\n');
    const [one, two] = await withRegistry(async (r) => {
      const lab = await r.accounts.byEmail('lab@example.org');
      return [await r.apiKeys.create(lab!.id, 'one'), await r.apiKeys.create(lab!.id, 'two')];
    });
    const byId = await cli(['account', 'key-quota', one.id, '--per-minute', '12000']);
    expect(byId.code, byId.stderr).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ id: one.id, perMinute: 12_000 });
    const byEmail = await cli([
      'account',
      'key-quota',
      'lab@example.org',
      '--bytes-per-day',
      String(10 * 2 ** 30),
    ]);
    expect(byEmail.code, byEmail.stderr).toBe(0);
    expect(jsonLines(byEmail.stdout).map((k) => k['bytesPerDay'])).toEqual([
      10 * 2 ** 30,
      10 * 2 ** 30,
    ]);
    const seen = await withRegistry((r) => r.apiKeys.verify(two.key));
    expect(seen).toMatchObject({ perMinute: 3000, bytesPerDay: 10 * 2 ** 30 });

    const none = await cli(['account', 'key-quota', 'lab@example.org']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs --per-minute, --bytes-per-day or both');
    const unknown = await cli(['account', 'key-quota', 'no-such-key', '--per-minute', '5']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("no API key has the id 'no-such-key'");
  });
});
