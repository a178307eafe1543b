import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { requirePostgres, run, startPostgres, type PostgresServer } from '@airbox/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const skip = await requirePostgres();

/** Runs one statement on a fresh connection and closes it. */
async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

// testkit's PostgreSQL, checked here where its first user (the registry) lives.
describe.skipIf(skip)('startPostgres', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves the test database on 127.0.0.1 with the password in its URL', async () => {
    expect(server.url).toMatch(/^postgres:\/\/airbox:[0-9a-f]+@127\.0\.0\.1:\d+\/airbox$/);
    const { rows } = await query(
      server.url,
      'SELECT current_database() AS db, current_user AS who',
    );
    expect(rows).toEqual([{ db: 'airbox', who: 'airbox' }]);
  });

  it('refuses a wrong password over TCP', async () => {
    const wrong = server.url.replace(/:[0-9a-f]+@/, ':wrong@');
    await expect(query(wrong, 'SELECT 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('makes empty databases of their own for tests that want a clean slate', async () => {
    const a = await server.createDatabase();
    const b = await server.createDatabase();
    expect(a).not.toBe(b);
    await query(a, 'CREATE TABLE t (x int)');
    await expect(query(b, 'SELECT * FROM t')).rejects.toMatchObject({ code: '42P01' });
    await expect(server.createDatabase('Robert"); DROP')).rejects.toThrow(/plain lower-case/);
  });

  it('keeps committed rows across a kill and a restart', async () => {
    await query(server.url, 'CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)');
    await server.kill();
    expect(server.running).toBe(false);
    await server.restart();
    expect((await query(server.url, 'SELECT x FROM kept')).rows).toEqual([{ x: 42 }]);
  });

  it('runs as the postgres user when the tests run as root', async () => {
    const owner = (await stat(`${server.dir}/data`)).uid;
    const postgresUid = Number((await run('id', ['-u', 'postgres'])).stdout);
    expect(owner).toBe(process.getuid?.() === 0 ? postgresUid : process.getuid?.());
  });

  it('stops with clients still connected, and removes its directory', async () => {
    const other = await startPostgres();
    const client = new pg.Client({ connectionString: other.url });
    client.on('error', () => {});
    await client.connect();
    const t0 = performance.now();
    await other.stop();
    // SIGINT, a fast shutdown: a smart one (SIGTERM) would wait for this client for ever.
    expect(performance.now() - t0).toBeLessThan(4_000);
    expect(other.running).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
    await client.end().catch(() => {});
  });
});
