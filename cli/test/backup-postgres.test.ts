import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresRegistry, verifyCredential } from '@airbox/registry';
import { requirePostgres, startPostgres, tempDir, type PostgresServer } from '@airbox/testkit';
import { runCli } from './run.ts';

const skip = await requirePostgres();

/**
 * `airbox backup --registry postgres://…` against a real PostgreSQL: the registry (a box, an
 * account, an API key) dumped with pg_dump into the backup as registry.sql, loaded with psql
 * into another, empty database where the box's password, the account's and the key all
 * still work; a database that is not empty is refused without --force.
 */
describe.skipIf(skip !== '')(`airbox backup with a PostgreSQL registry ${skip}`, () => {
  let pg: PostgresServer;
  let source: string;
  const dirs = { data: tempDir('pg-backup-data'), to: tempDir('pg-backup-to') };
  const restoredDir = tempDir('pg-backup-restored');
  let box: { username: string; password: string };
  let apiKey: string;

  beforeAll(async () => {
    pg = await startPostgres();
    source = await pg.createDatabase();
    const registry = await openPostgresRegistry(source);
    try {
      const added = await registry.devices.add({ deviceId: 'pg-backup-box' });
      box = { username: added.username, password: added.password };
      const account = await registry.accounts.create({
        email: 'teacher@example.org',
        password: 'correct horse battery',
        displayName: 'Teacher',
      });
      apiKey = (await registry.apiKeys.create(account.id, 'lab')).key;
    } finally {
      await registry.close();
    }
  }, 120_000);
  afterAll(async () => {
    for (const d of [dirs.data, dirs.to, restoredDir]) d.remove();
    await pg?.stop();
  });

  const backupFolder = () => {
    const [name] = readdirSync(dirs.to.path).filter((n) => n.startsWith('airbox-'));
    return join(dirs.to.path, name!);
  };

  it('dumps the registry into the backup as registry.sql, password kept off the command line', async () => {
    const r = await runCli([
      'backup',
      '--data-dir',
      dirs.data.path,
      '--to',
      dirs.to.path,
      '--registry',
      source,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { files: { name: string; bytes: number }[] };
    expect(summary.files.map((f) => f.name)).toEqual(['registry.sql']);
    const dump = readFileSync(join(backupFolder(), 'registry.sql'), 'utf8');
    expect(dump).toContain('CREATE TABLE public.api_keys');
    expect(dump).toContain('teacher@example.org');
    expect(r.stderr).not.toContain(new URL(source).password);
  });

  it('restores it into an empty database, where the box, the account and the key work', async () => {
    const target = await pg.createDatabase();
    const r = await runCli([
      'backup',
      '--restore',
      backupFolder(),
      '--data-dir',
      restoredDir.path,
      '--registry',
      target,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const registry = await openPostgresRegistry(target);
    try {
      const { devices } = await registry.devices.snapshot();
      expect(devices.map((d) => d.deviceId)).toEqual([box.username]);
      // Its salt and hash came over byte for byte: the box logs in with what it has.
      expect(verifyCredential(devices[0]!.credential, box.password)).toBe(true);
      expect(
        await registry.accounts.authenticate('teacher@example.org', 'correct horse battery'),
      ).not.toBeNull();
      expect(await registry.apiKeys.verify(apiKey)).toMatchObject({ name: 'lab' });
    } finally {
      await registry.close();
    }

    // The same database again: it has tables now, so only with --force.
    const again = ['backup', '--restore', backupFolder(), '--data-dir', restoredDir.path];
    const refused = await runCli([...again, '--registry', target]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is not empty \(\d+ tables\).*--force/);
    const forced = await runCli([...again, '--registry', target, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('asks for --registry when the backup holds registry.sql, and takes only a postgres:// URL', async () => {
    const bare = await runCli([
      'backup',
      '--restore',
      backupFolder(),
      '--data-dir',
      restoredDir.path,
    ]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('holds a PostgreSQL registry (registry.sql)');
    const file = await runCli([
      'backup',
      '--data-dir',
      dirs.data.path,
      '--to',
      dirs.to.path,
      '--registry',
      'devices.db',
    ]);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("--registry takes a postgres:// URL, got 'devices.db'");
    expect(existsSync(join(restoredDir.path, 'devices.db'))).toBe(false);
  });
});
