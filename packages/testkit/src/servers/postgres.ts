import { randomBytes } from 'node:crypto';
import { chown, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, run, skipReasonUnless } from '../process.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/** A PostgreSQL server a test started, with the database made for it. */
export interface PostgresServer extends TestServer {
  /** postgres://airbox:PASSWORD@127.0.0.1:PORT/airbox: the database made for the test. */
  readonly url: string;
  /** Creates an empty database (a fresh name unless given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';
const USER = 'airbox';
const DATABASE = 'airbox';
const DB_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
let databases = 0;

/**
 * The newest installed server's programs: Debian keeps them off PATH, in
 * /usr/lib/postgresql/<major>/bin; elsewhere initdb is usually on PATH. Null when neither.
 */
export async function postgresBinDir(): Promise<string | null> {
  const majors = existsSync(DEBIAN_ROOT) ? await readdir(DEBIAN_ROOT) : [];
  const newestFirst = majors.filter((m) => /^\d+$/.test(m)).sort((a, b) => Number(b) - Number(a));
  for (const major of newestFirst) {
    const bin = join(DEBIAN_ROOT, major, 'bin');
    if (existsSync(join(bin, 'postgres')) && existsSync(join(bin, 'initdb'))) return bin;
  }
  const onPath = await run('sh', ['-c', 'command -v initdb']);
  return onPath.code === 0 ? dirname(onPath.stdout.trim()) : null;
}

/** requireBinary for PostgreSQL: '' when installed, else why the test skips (CI: throws). */
export async function requirePostgres(): Promise<string> {
  return skipReasonUnless('postgresql', (await postgresBinDir()) !== null);
}

/**
 * PostgreSQL as a throwaway: a fresh cluster (initdb, ~1 s) in a temporary directory, listening
 * on 127.0.0.1:PORT only (its socket in that directory, not /var/run/postgresql), with a
 * password on TCP (SCRAM, as a deployment has) and a database `airbox` for the test.
 * fsync and full-page writes are off: a commit is written to the OS but never flushed, so a
 * kill() (a crashed server) loses nothing it acknowledged; only a crashed machine would.
 * PostgreSQL refuses to run as root: under root (CI) initdb and the server run as the
 * `postgres` user Debian's package creates, on a directory chown'ed to it.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = await postgresBinDir();
  if (bin === null)
    throw new Error(
      `PostgreSQL is not installed: no ${DEBIAN_ROOT}/<version>/bin/postgres and no initdb on PATH (bash scripts/install-test-servers.sh installs Debian's postgresql)`,
    );
  const [port, dir, runAs] = await Promise.all([freePort(), makeServerDir('postgres'), asUser()]);
  const password = randomBytes(12).toString('hex');
  try {
    await initCluster(bin, dir, password, runAs);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const base = `postgres://${USER}:${password}@127.0.0.1:${port}`;
  const server = await startManagedServer({
    name: 'postgres',
    ...runAs.command(join(bin, 'postgres'), serverArgs(dir, port)),
    port,
    dir,
    url: `${base}/${DATABASE}`,
    ready: async () =>
      (await run(join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)])).code ===
      0,
    // SIGTERM is a "smart" shutdown that waits for every client to leave; SIGINT ends
    // their sessions (they see 57P01) and stops at once.
    stopSignal: 'SIGINT',
    killChildren: true,
  });
  const createDatabase = async (name = `t${++databases}_${randomBytes(4).toString('hex')}`) => {
    if (!DB_NAME.test(name))
      throw new Error(`createDatabase: ${JSON.stringify(name)} is not a plain lower-case name`);
    const made = await run(
      join(bin, 'createdb'),
      ['-h', '127.0.0.1', '-p', String(port), '-U', USER, name],
      { env: { PGPASSWORD: password } },
    );
    if (made.code !== 0) throw new Error(`createdb ${name} failed: ${made.stderr.trim()}`);
    return `${base}/${name}`;
  };
  try {
    await createDatabase(DATABASE);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return Object.assign(server, { createDatabase });
}

function serverArgs(dir: string, port: number): string[] {
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    full_page_writes: 'off',
    shared_buffers: '16MB',
  };
  return ['-D', join(dir, 'data'), '-p', String(port)].concat(
    Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  );
}

async function initCluster(bin: string, dir: string, password: string, runAs: RunAs) {
  const pwfile = join(dir, 'password');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  await runAs.own(dir, pwfile);
  const init = runAs.command(join(bin, 'initdb'), [
    ...['-D', join(dir, 'data'), '-U', USER, `--pwfile=${pwfile}`],
    ...['--auth-local=trust', '--auth-host=scram-sha-256'],
    // No fsync of the new cluster (-N) and the C locale: fast, and the same on every machine.
    ...['-N', '-E', 'UTF8', '--locale=C'],
  ]);
  const done = await run(init.binary, init.args, { timeoutMs: 60_000 });
  if (done.code !== 0)
    throw new Error(`initdb in ${dir} failed (exit ${done.code}): ${done.stderr.trim()}`);
}

/** Who runs initdb and the server: this process's user, or `postgres` when that is root. */
interface RunAs {
  command(binary: string, args: string[]): { binary: string; args: string[] };
  own(...paths: string[]): Promise<void>;
}

async function asUser(): Promise<RunAs> {
  if (process.getuid?.() !== 0)
    return { command: (binary, args) => ({ binary, args }), own: async () => {} };
  const [uid, gid] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  if (uid.code !== 0)
    throw new Error(
      "PostgreSQL refuses to run as root, and there is no `postgres` user to run it as (Debian's postgresql package creates one)",
    );
  return {
    // setpriv execs the program itself (runuser would stay its parent), so kill() reaches
    // the postmaster and no server outlives its test.
    command: (binary, args) => ({
      binary: 'setpriv',
      args: ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', binary, ...args],
    }),
    own: async (...paths) => {
      for (const p of paths) await chown(p, Number(uid.stdout), Number(gid.stdout));
    },
  };
}
