import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { RegistryError, type SqlDriver } from './port.ts';

/**
 * SqlDriver over better-sqlite3. Its calls are synchronous and fast (a registry row is a
 * primary-key read), so they run on the event loop; what makes them async is the lock.
 *
 * better-sqlite3's own transactions cannot span an `await`, and the stores await between
 * statements, so a transaction here is `BEGIN IMMEDIATE … COMMIT` issued by hand while a
 * lock keeps every other caller of this connection waiting: otherwise a read from the view's
 * poll would land inside someone else's transaction, and a second BEGIN would fail.
 * IMMEDIATE takes SQLite's write lock at BEGIN, so two processes on one file queue there
 * (busy_timeout) instead of failing on the first write.
 */

/** How long a writer waits for another process's write lock before 'unavailable'. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

export function openSqliteDriver(path: string): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
  } catch (e) {
    throw unavailable(path, e);
  }
  return new SqliteDriver(db, path);
}

/**
 * One lock per file for every connection to it in this process. SQLite's own lock makes a
 * second connection wait *synchronously* (busy_timeout) for the first one's transaction —
 * which, awaiting between statements on this same event loop, can never finish while the
 * loop is blocked: both would stall until 'unavailable'. Two registries on one file in one
 * process (tests, a command that opens its own beside the server's) queue here instead.
 * Connections in other processes still meet at SQLite's lock, where waiting is harmless.
 */
const fileLocks = new Map<string, { mutex: Mutex; users: number }>();

function lockFor(path: string): { mutex: Mutex; release: () => void } {
  // Every ':memory:' database is its own.
  if (path === ':memory:') return { mutex: new Mutex(), release: () => {} };
  const key = resolve(path);
  const entry = fileLocks.get(key) ?? { mutex: new Mutex(), users: 0 };
  entry.users++;
  fileLocks.set(key, entry);
  return {
    mutex: entry.mutex,
    release: () => {
      if (--entry.users === 0) fileLocks.delete(key);
    },
  };
}

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly lock: Mutex;
  private readonly releaseLock: () => void;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private readonly db: Database.Database;
  private readonly path: string;

  constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    const lock = lockFor(path);
    this.lock = lock.mutex;
    this.releaseLock = lock.release;
  }

  all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.lock.run(async () => this.allNow<T>(sql, params));
  }

  run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return this.lock.run(async () => this.runNow(sql, params));
  }

  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(this.inTransaction());
        this.exec('COMMIT');
        return result;
      } catch (e) {
        if (this.db.inTransaction) this.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.lock.run(async () => {
      if (this.closed) return;
      this.closed = true;
      this.db.close();
      this.releaseLock();
    });
  }

  /** The handle `fn` gets: runs straight on the connection, whose lock its caller holds. */
  private inTransaction(): SqlDriver {
    const tx: SqlDriver = {
      dialect: 'sqlite',
      all: async <T>(sql: string, params: readonly unknown[] = []) => this.allNow<T>(sql, params),
      run: async (sql, params = []) => this.runNow(sql, params),
      // Already inside one: the inner work joins it (a throw still rolls back the whole).
      transaction: (fn) => fn(tx),
      close: () => Promise.reject(new Error('close the driver, not a transaction')),
    };
    return tx;
  }

  private allNow<T>(sql: string, params: readonly unknown[]): T[] {
    return this.guard(() => this.statement(sql).all(...params) as T[]);
  }

  private runNow(sql: string, params: readonly unknown[]): { changes: number } {
    return this.guard(() => ({ changes: this.statement(sql).run(...params).changes }));
  }

  private exec(sql: string): void {
    this.guard(() => this.db.exec(sql));
  }

  private statement(sql: string): Database.Statement {
    // The same few statements run for every request: prepared once each.
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Locked, busy or failing storage is 'unavailable'; a mistake in our SQL stays itself. */
  private guard<T>(fn: () => T): T {
    if (this.closed) throw new RegistryError('unavailable', `registry ${this.path} is closed`);
    try {
      return fn();
    } catch (e) {
      if (isStorageFailure(e)) throw unavailable(this.path, e);
      throw e;
    }
  }
}

/** SQLite result codes (and their extended forms) that say the storage, not the SQL, failed. */
const STORAGE_FAILURES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
];

function isStorageFailure(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && STORAGE_FAILURES.some((c) => code.startsWith(c));
}

function unavailable(path: string, cause: unknown): RegistryError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new RegistryError('unavailable', `registry ${path} cannot be used: ${why}`, {
    cause,
    hint: 'check that the file exists, is writable and that its disk is not full',
  });
}

/** One holder at a time, in arrival order. */
class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    // The next caller waits for this one to settle, whether it succeeded or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
