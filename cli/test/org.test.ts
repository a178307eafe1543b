import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@airbox/testkit';
import { jsonLines, runCli } from './run.ts';

/** `airbox org` and the owners `airbox device` gives boxes, on a data dir. */
const dir = tempDir('cli-org');
afterAll(() => dir.remove());
const cli = (...args: string[]) => runCli([...args, '--data-dir', dir.path]);
const PASSWORD = 'a passphrase for tests';
const addAccount = (email: string) =>
  runCli(['account', 'add', email, '--password-stdin', '--data-dir', dir.path], PASSWORD);
const devices = async () => jsonLines((await cli('device', 'list')).stdout);

let orgId = '';

describe('airbox org', () => {
  beforeAll(async () => {
    await addAccount('head@annan.edu.tw');
    await addAccount('teacher@annan.edu.tw');
  });

  it('adds an organisation owned by an account, and lists it with its members', async () => {
    const added = await cli(
      'org',
      'add',
      'Annan Elementary',
      '--kind',
      'school',
      '--owner',
      'Head@annan.edu.tw',
    );
    expect(added.code).toBe(0);
    const org = JSON.parse(added.stdout) as Record<string, string>;
    expect(org).toMatchObject({ name: 'Annan Elementary', kind: 'school' });
    orgId = org['id']!;
    const set = await cli('org', 'member', orgId, 'teacher@annan.edu.tw', '--role', 'admin');
    expect(set.stderr).toBe(`teacher@annan.edu.tw is now admin of organisation ${orgId}\n`);
    expect(jsonLines((await cli('org', 'list')).stdout)).toEqual([
      {
        ...org,
        members: [
          { email: 'head@annan.edu.tw', role: 'owner' },
          { email: 'teacher@annan.edu.tw', role: 'admin' },
        ],
      },
    ]);
  });

  it('keeps the last owner, and names an unknown organisation or account', async () => {
    const last = await cli('org', 'member', orgId, 'head@annan.edu.tw', '--remove');
    expect(last).toMatchObject({ code: 1 });
    expect(last.stderr).toContain('it is the only owner');
    const ghost = await cli('org', 'member', 'ghost', 'head@annan.edu.tw', '--role', 'viewer');
    expect(ghost.stderr).toContain("no organisation has the id 'ghost' (not-found)");
    const nobody = await cli('org', 'add', 'X', '--kind', 'company', '--owner', 'no@x.org');
    expect(nobody.stderr).toContain("no account has the e-mail 'no@x.org' (not-found)");
    expect(jsonLines((await cli('org', 'list')).stdout)).toHaveLength(1);
  });

  it.each([
    [['org', 'add', 'X', '--owner', 'head@annan.edu.tw'], '--kind must be one of school'],
    [['org', 'add', 'X', '--kind', 'school'], "'add' needs --owner EMAIL"],
    [['org', 'member', 'o', 'a@b.org', '--role', 'boss'], '--role must be one of owner, admin'],
    [['org', 'list', '--role', 'admin'], "--role does not go with 'list'"],
  ])('refuses `%j` as a usage error', async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

describe('airbox device: owners and visibility', () => {
  it('adds a box to an organisation or an account, private and exact if asked', async () => {
    expect(
      (await cli('device', 'add', 'class-5', '--owner', `org:${orgId}`, '--private')).code,
    ).toBe(0);
    expect(
      (await cli('device', 'add', 'roof-9', '--owner', 'teacher@annan.edu.tw', '--exact-position'))
        .code,
    ).toBe(0);
    expect((await cli('device', 'add', 'lass-1')).code).toBe(0);
    const teacher = (await devices()).find((d) => d['deviceId'] === 'roof-9')?.['owner'];
    expect(await devices()).toEqual([
      expect.objectContaining({
        deviceId: 'class-5',
        owner: { kind: 'org', id: orgId },
        visibility: 'private',
        exactPosition: false,
      }),
      expect.objectContaining({ deviceId: 'lass-1', owner: null, visibility: 'public' }),
      expect.objectContaining({
        deviceId: 'roof-9',
        owner: teacher,
        visibility: 'public',
        exactPosition: true,
      }),
    ]);
    expect(teacher).toMatchObject({ kind: 'account' });
  });

  it('transfers a box and makes it public again', async () => {
    expect((await cli('device', 'transfer', 'lass-1', '--owner', `org:${orgId}`)).stderr).toBe(
      `device lass-1 now belongs to org:${orgId}\n`,
    );
    await cli('device', 'transfer', 'roof-9', '--no-owner');
    await cli('device', 'set', 'class-5', '--public');
    const owners = (await devices()).map((d) => [d['deviceId'], d['owner'], d['visibility']]);
    expect(owners).toEqual([
      ['class-5', { kind: 'org', id: orgId }, 'public'],
      ['lass-1', { kind: 'org', id: orgId }, 'public'],
      ['roof-9', null, 'public'],
    ]);
  });

  it.each([
    [['device', 'add', 'x-1', '--owner', 'org:ghost'], 1, "no organisation has the id 'ghost'"],
    [['device', 'transfer', 'ghost-1', '--no-owner'], 1, "device 'ghost-1' is not registered"],
    [
      ['device', 'transfer', 'lass-1'],
      2,
      "'transfer' needs --owner EMAIL, --owner org:ID or --no-owner",
    ],
    [
      ['device', 'add', 'svc', '--service', '--owner', 'head@annan.edu.tw'],
      2,
      '--owner is for boxes',
    ],
    [
      ['device', 'set', 'lass-1', '--owner', 'head@annan.edu.tw'],
      2,
      "--owner goes with 'add' or 'transfer', not 'set'",
    ],
  ])('refuses `%j`', async (args, code, message) => {
    const run = await cli(...args);
    expect(run.code).toBe(code);
    expect(run.stderr).toContain(message);
    expect((await devices()).map((d) => d['deviceId'])).toEqual(['class-5', 'lass-1', 'roof-9']);
  });
});
