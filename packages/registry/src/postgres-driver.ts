import pg from 'pg';
import { RegistryError, type SqlDriver } from './port.ts';
import { numberPlaceholders } from './placeholders.ts';
import { describeTarget, mapPostgresError } from './postgres-errors.ts';

export interface PostgresDriverOptions {
  /** Connections open at most; a query beyond them waits for one (default 10). */
  poolSize?: number;
  /** How long a query waits for a connection, new or pooled, before 'unavailable' (default 5 s). */
  connectTimeoutMs?: number;
  /** How long a statement may take before 'unavailable' and its connection is closed (default 30 s). */
  queryTimeoutMs?: number;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
const IDLE_CLOSE_MS = 30_000;
const KEEPALIVE_MS = 10_000;
/** Translations kept; the stores' SQL is a few dozen constant strings. */
const TRANSLATION_CACHE = 1_000;

// pg's OIDs (pg_type.dat): int8 20 (COUNT(*), BIGINT ids and sequences), numeric 1700 (SUM of a
// BIGINT). pg hands both back as strings; SQLite gives numbers, and the stores read one shape.
const INT8 = 20;
const NUMERIC = 1700;

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new RangeError(
      `PostgreSQL returned the bigint ${text}, beyond JavaScript's safe integers`,
    );
  return n;
}

const types: pg.CustomTypesConfig = {
  getTypeParser: (oid: number, format?: 'text' | 'binary'): ((text: string) => unknown) => {
    if (oid === INT8) return parseInt8;
    if (oid === NUMERIC) return Number;
    return pg.types.getTypeParser(oid, format) as (text: string) => unknown;
  },
};

const translations = new Map<string, { text: string; count: number }>();

function translate(sql: string, params: readonly unknown[]): string {
  let t = translations.get(sql);
  if (t === undefined) {
    t = numberPlaceholders(sql);
    if (translations.size >= TRANSLATION_CACHE) translations.clear();
    translations.set(sql, t);
  }
  if (t.count !== params.length)
    throw new Error(`SQL has ${t.count} placeholders but got ${params.length} values: ${sql}`);
  return t.text;
}

/** all/run over one way of sending a query; errors mapped to 'unavailable' where the database is out of reach. */
abstract class QueryingDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  protected abstract readonly where: string;
  protected abstract send(text: string, values: unknown[]): Promise<pg.QueryResult>;

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  private async query(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    const text = translate(sql, params);
    try {
      // Buffers travel as BYTEA and come back as Buffers: pg's default both ways.
      return await this.send(text, [...params]);
    } catch (err) {
      throw mapPostgresError(err, this.where);
    }
  }

  abstract transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
}

/** The driver the stores hold: a pool; a query or a transaction checks one connection out. */
class PoolDriver extends QueryingDriver {
  protected readonly where: string;
  private readonly pool: pg.Pool;

  constructor(url: string, where: string, options: PostgresDriverOptions) {
    super();
    this.where = where;
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      query_timeout: options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS,
      idleTimeoutMillis: IDLE_CLOSE_MS,
      // Without a probe, a server gone without a word (a cut link) is noticed after hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_MS,
      types,
    });
    // An idle connection the server drops (a restart) is removed from the pool, which then
    // emits 'error'; unheard, that would end the process. The next query reconnects, or
    // reports 'unavailable' if the server is still away.
    this.pool.on('error', () => {});
  }

  protected send(text: string, values: unknown[]): Promise<pg.QueryResult> {
    return this.withClient((client) => client.query(text, values));
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    return this.withClient(async (client, broken) => {
      const tx = new ClientDriver(client, this.where);
      await tx.run('BEGIN');
      try {
        const result = await fn(tx);
        await tx.run('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(broken);
        throw err;
      }
    });
  }

  /**
   * Checks a connection out for `use` and back in. One that failed (lost, timed out, or
   * `broken` by `use`) is closed rather than handed to the next caller; one that only ran a
   * failing statement (a duplicate key) stays, where pool.query would close it.
   */
  private async withClient<T>(
    use: (client: pg.PoolClient, broken: (err: Error) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw mapPostgresError(err, this.where);
    }
    let failure: Error | undefined;
    const broken = (err: Error) => void (failure ??= err);
    // A checked-out client's lost connection is an 'error' event as well as a failed query.
    client.on('error', broken);
    try {
      return await use(client, broken);
    } catch (err) {
      const mapped = mapPostgresError(err, this.where);
      if (mapped instanceof RegistryError && mapped.code === 'unavailable') broken(mapped);
      throw mapped;
    } finally {
      client.off('error', broken);
      client.release(failure);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** One checked-out connection inside a transaction; a nested transaction is a savepoint. */
class ClientDriver extends QueryingDriver {
  protected readonly where: string;
  private readonly client: pg.PoolClient;
  private savepoints = 0;

  constructor(client: pg.PoolClient, where: string) {
    super();
    this.client = client;
    this.where = where;
  }

  protected send(text: string, values: unknown[]): Promise<pg.QueryResult> {
    return this.client.query(text, values);
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`;
    await this.run(`SAVEPOINT ${name}`);
    try {
      const result = await fn(this);
      await this.run(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await this.run(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
      throw err;
    }
  }

  async close(): Promise<void> {
    throw new Error('close() inside a transaction: close the driver that began it');
  }
}

/**
 * A SqlDriver over PostgreSQL (`--registry postgres://USER:PASSWORD@HOST:PORT/DATABASE`).
 * Nothing connects until the first query. 'invalid-input' if the URL is not a postgres:// one.
 */
export function openPostgresDriver(url: string, options: PostgresDriverOptions = {}): SqlDriver {
  return new PoolDriver(url, describeTarget(url), options);
}
