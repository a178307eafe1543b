import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';

/**
 * A PostgreSQL registry (`--registry postgres://…`) in a backup: dumped with PostgreSQL's
 * own pg_dump as `registry.sql` (plain SQL, which psql loads into any PostgreSQL of the same
 * major version or newer), loaded back with psql. pg_dump reads one snapshot of the
 * database, so a server that goes on writing does not tear the dump
 * (https://www.postgresql.org/docs/15/app-pgdump.html).
 */
export const REGISTRY_DUMP = 'registry.sql';

/** Bytes of a tool's stderr kept for its error message. */
const STDERR_KEPT = 4096;

/**
 * libpq's environment for `url` (https://www.postgresql.org/docs/15/libpq-envars.html): the
 * password goes to the tool in PGPASSWORD, never on its command line, which `ps` shows.
 */
export function libpqEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = {
    PGHOST: decodeURIComponent(u.hostname) || 'localhost',
    PGPORT: u.port || '5432',
    PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.username !== '') env['PGUSER'] = decodeURIComponent(u.username);
  if (u.password !== '') env['PGPASSWORD'] = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null) env['PGSSLMODE'] = sslmode;
  return env;
}

/** host:port/database, for messages: never the URL's password. */
function named(env: Record<string, string>): string {
  return `${env['PGHOST']}:${env['PGPORT']}/${env['PGDATABASE']}`;
}

/** Runs a PostgreSQL client program; its stdout, or an error with its exit and stderr. */
function runClient(binary: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr = (stderr + c).slice(-STDERR_KEPT);
    });
    child.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new Error(
              `${binary} is not installed: install PostgreSQL's client (Debian: apt-get install postgresql-client)`,
            )
          : e,
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${binary} on ${named(env)} failed (exit ${code}): ${stderr.trim()}`));
    });
  });
}

/**
 * Dumps the registry database into `file`. `--clean --if-exists`: the dump drops what it
 * creates first, so a restore with --force replaces a database that is not empty.
 */
export async function dumpRegistry(url: string, file: string): Promise<{ bytes: number }> {
  const args = ['--format=plain', '--no-owner', '--no-privileges', '--clean', '--if-exists'];
  await runClient('pg_dump', [...args, `--file=${file}`], libpqEnv(url));
  return { bytes: statSync(file).size };
}

/** Tables in the database outside PostgreSQL's own schemas. */
async function tableCount(env: Record<string, string>): Promise<number> {
  const sql =
    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')";
  return Number((await runClient('psql', ['-X', '-A', '-t', '-c', sql], env)).trim());
}

/**
 * Loads `file` into the registry database in one transaction (a failure leaves it as it
 * was). A database that already has tables is refused unless `force`: it may be the live
 * registry of a running deployment.
 */
export async function restoreRegistry(
  url: string,
  file: string,
  force: boolean,
): Promise<{ bytes: number }> {
  const env = libpqEnv(url);
  const tables = await tableCount(env);
  if (tables > 0 && !force) {
    throw new Error(
      `the database ${named(env)} is not empty (${tables} tables); stop every 'airbox serve' using it and add --force to replace it`,
    );
  }
  const args = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', `--file=${file}`];
  await runClient('psql', args, env);
  return { bytes: statSync(file).size };
}
