import { freePort, requirePostgres, startPostgres, type PostgresServer } from '@airbox/testkit';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isUniqueViolation,
  openPostgresDriver,
  RegistryError,
  type SqlDriver,
} from '../src/index.ts';

const skip = await requirePostgres();

const passwordOf = (url: string): string => decodeURIComponent(new URL(url).password);
const targetOf = (url: string): string => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}${u.pathname}`;
};

/** Drivers a block opens, all closed after it. */
function driversOpened() {
  const opened: SqlDriver[] = [];
  return {
    open: (u: string, options?: Parameters<typeof openPostgresDriver>[1]) => {
      const d = openPostgresDriver(u, options);
      opened.push(d);
      return d;
    },
    closeAll: () => Promise.all(opened.map((d) => d.close())),
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  const err: unknown = await p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error(`rejected with a non-error: ${String(err)}`);
  return err;
}

describe.skipIf(skip)('the PostgreSQL driver', () => {
  let server: PostgresServer;
  let url: string;
  let db: SqlDriver;
  const { open, closeAll } = driversOpened();

  beforeAll(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    db = open(url);
    await db.run('CREATE TABLE items (id TEXT PRIMARY KEY, n INTEGER NOT NULL, blob BYTEA)');
  });
  afterEach(async () => {
    await db.run('DELETE FROM items');
  });
  afterAll(async () => {
    await closeAll();
    await server?.stop();
  });

  it('numbers ? placeholders and leaves a quoted ? alone', async () => {
    await db.run("INSERT INTO items (id, n) VALUES (?, ?), ('?', ?)", ['a', 1, 2]);
    const rows = await db.all<{ id: string; n: number }>(
      "SELECT id, n FROM items WHERE id = ? OR id = '?' ORDER BY n",
      ['a'],
    );
    expect(rows).toEqual([
      { id: 'a', n: 1 },
      { id: '?', n: 2 },
    ]);
  });

  it('counts changed rows, and reads counts and sums as numbers as SQLite does', async () => {
    await db.run('INSERT INTO items (id, n) VALUES (?, ?), (?, ?)', ['a', 1, 'b', 2]);
    expect(await db.run('UPDATE items SET n = n + 1')).toEqual({ changes: 2 });
    expect(await db.run('DELETE FROM items WHERE id = ?', ['none'])).toEqual({ changes: 0 });
    const [row] = await db.all('SELECT COUNT(*) AS c, SUM(n) AS s FROM items');
    expect(row).toEqual({ c: 2, s: 5 });
  });

  it('stores bytes as BYTEA and gives back the same Buffer', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await db.run('INSERT INTO items (id, n, blob) VALUES (?, ?, ?)', ['b', 0, bytes]);
    const [row] = await db.all<{ blob: Buffer }>('SELECT blob FROM items WHERE id = ?', ['b']);
    expect(Buffer.isBuffer(row?.blob)).toBe(true);
    expect(row?.blob.equals(bytes)).toBe(true);
  });

  it('lets a duplicate key through as itself, recognised by isUniqueViolation', async () => {
    await db.run('INSERT INTO items (id, n) VALUES (?, ?)', ['dup', 1]);
    const err = await failure(db.run('INSERT INTO items (id, n) VALUES (?, ?)', ['dup', 2]));
    expect(err).not.toBeInstanceOf(RegistryError);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('keeps its connection after a failed statement, and closes one that timed out', async () => {
    const one = open(url, { poolSize: 1, queryTimeoutMs: 300 });
    const pid = async () =>
      (await one.all<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]?.pid;
    const first = await pid();
    await one.run('INSERT INTO items (id, n) VALUES (?, ?)', ['dup', 1]);
    await failure(one.run('INSERT INTO items (id, n) VALUES (?, ?)', ['dup', 2]));
    expect(await pid()).toBe(first);
    const slow = await failure(one.all('SELECT pg_sleep(2)'));
    expect(slow).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/timeout/) });
    expect(await pid()).not.toBe(first);
  });

  it('says how many values a statement wanted when it got the wrong number', async () => {
    const err = await failure(db.all('SELECT * FROM items WHERE id = ?', []));
    expect(err.message).toMatch(/1 placeholders but got 0 values/);
  });

  it('commits a transaction, and rolls back all of it when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['kept', 1]);
    });
    const boom = new Error('boom');
    const err = await failure(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['lost', 1]);
        await tx.run('UPDATE items SET n = 99');
        throw boom;
      }),
    );
    expect(err).toBe(boom);
    expect(await db.all('SELECT id, n FROM items')).toEqual([{ id: 'kept', n: 1 }]);
  });

  it('rolls back a nested transaction alone, to its savepoint', async () => {
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['outer', 1]);
      await tx
        .transaction(async (inner) => {
          await inner.run('INSERT INTO items (id, n) VALUES (?, ?)', ['inner', 1]);
          await inner.run('INSERT INTO items (id, n) VALUES (?, ?)', ['outer', 2]);
        })
        .catch((e: unknown) => expect(isUniqueViolation(e)).toBe(true));
    });
    expect(await db.all('SELECT id FROM items')).toEqual([{ id: 'outer' }]);
  });

  it('keeps a transaction on one connection: others see its rows only once it commits', async () => {
    let seenInside: unknown[] = [];
    await db.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, n) VALUES (?, ?)', ['pending', 1]);
      expect(await tx.all('SELECT id FROM items')).toEqual([{ id: 'pending' }]);
      seenInside = await db.all('SELECT id FROM items');
    });
    expect(seenInside).toEqual([]);
    expect(await db.all('SELECT id FROM items')).toEqual([{ id: 'pending' }]);
  });

  it('runs more concurrent transactions than it has connections, losing no update', async () => {
    const small = open(url, { poolSize: 3 });
    await small.run('INSERT INTO items (id, n) VALUES (?, ?)', ['counter', 0]);
    await Promise.all(
      Array.from({ length: 30 }, () =>
        small.transaction(async (tx) => {
          const [row] = await tx.all<{ n: number }>('SELECT n FROM items WHERE id = ? FOR UPDATE', [
            'counter',
          ]);
          await tx.run('UPDATE items SET n = ? WHERE id = ?', [(row?.n ?? 0) + 1, 'counter']);
        }),
      ),
    );
    expect(await small.all('SELECT n FROM items')).toEqual([{ n: 30 }]);
  });

  it('reports a full pool that stays full as unavailable', async () => {
    const one = open(url, { poolSize: 1, connectTimeoutMs: 200 });
    let release = () => {};
    const held = one.transaction(() => new Promise<void>((r) => (release = r)));
    const err = await failure(one.all('SELECT 1'));
    release();
    await held;
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(await one.all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});

describe.skipIf(skip)('the PostgreSQL driver when the server is away', () => {
  let server: PostgresServer;
  const { open, closeAll } = driversOpened();

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await closeAll();
    await server?.stop();
  });

  it('is unavailable while the server is down, naming it but not the password, and recovers', async () => {
    const db = open(server.url);
    expect(await db.all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await server.kill();
    for (const attempt of [
      () => db.all('SELECT 1'),
      () => db.transaction((tx) => tx.all('SELECT 1')),
    ]) {
      const err = await failure(attempt());
      expect(err).toBeInstanceOf(RegistryError);
      expect(err).toMatchObject({ code: 'unavailable' });
      expect(err.message).toContain(targetOf(server.url));
      expect(err.message).not.toContain(passwordOf(server.url));
    }
    await server.restart();
    expect(await db.all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('is unavailable when its connection is ended under a transaction (57P01), then goes on', async () => {
    const db = open(server.url);
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      const err = await failure(
        db.transaction(async (tx) => {
          const [me] = await tx.all<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          await admin.query('SELECT pg_terminate_backend($1)', [me?.pid]);
          await tx.all('SELECT 1');
        }),
      );
      expect(err).toMatchObject({ code: 'unavailable' });
      expect(err.message).toMatch(/57P01|terminat/);
    } finally {
      await admin.end();
    }
    expect(await db.all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('is unavailable when nothing listens at the address', async () => {
    const nobody = `postgres://airbox:s3cret@127.0.0.1:${await freePort()}/airbox`;
    const err = await failure(open(nobody).all('SELECT 1'));
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(err.message).toMatch(/127\.0\.0\.1:\d+\/airbox is unreachable \(ECONNREFUSED\)/);
    expect(err.message).not.toContain('s3cret');
  });

  it('is unavailable with a wrong password, saying the server refused the login', async () => {
    const wrong = server.url.replace(/:[0-9a-f]+@/, ':not-the-password@');
    const err = await failure(open(wrong).all('SELECT 1'));
    expect(err).toMatchObject({ code: 'unavailable' });
    expect(err.message).toMatch(/password authentication failed/);
    expect(err.message).not.toContain('not-the-password');
  });

  it('refuses a URL that is not postgres://, without echoing it', () => {
    expect(() => openPostgresDriver('mysql://u:hunter2@h/db')).toThrow(
      expect.objectContaining({
        code: 'invalid-input',
        message: expect.not.stringContaining('hunter2'),
      }),
    );
  });
});
