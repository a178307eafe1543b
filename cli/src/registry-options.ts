import { join, resolve } from 'node:path';
import {
  RegistryError,
  openPostgresRegistry,
  openSqliteRegistry,
  type Registry,
} from '@airbox/registry';
import type { CliIo } from './io.ts';

/** `--registry`'s PostgreSQL form (libpq's URI schemes). */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Whether `location` names a PostgreSQL registry rather than a SQLite file. */
export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/** The registry of a data dir, as 'airbox serve' and 'airbox device' open it by default. */
export function dataDirRegistry(dataDir: string): string {
  return join(resolve(dataDir), 'devices.db');
}

/**
 * Opens the registry at `location`: a SQLite file (created with its directory when new), or
 * a `postgres://` URL shared by every node of a deployment. An unreachable server is
 * 'unavailable', named as host:port/database (never the URL's password).
 */
export function openRegistryAt(location: string, now: () => number): Promise<Registry> {
  if (isPostgresUrl(location)) return openPostgresRegistry(location, { now });
  return openSqliteRegistry(resolve(location), { now });
}

/** Opens the registry at `location` for one job, and closes it after, whatever happens. */
export async function withRegistry<T>(
  location: string,
  now: () => number,
  job: (registry: Registry) => Promise<T>,
): Promise<T> {
  const registry = await openRegistryAt(location, now);
  try {
    return await job(registry);
  } finally {
    await registry.close();
  }
}

/** `--data-dir` and `--registry`, as every command that opens the registry takes them. */
export const REGISTRY_OPTIONS = {
  'data-dir': { type: 'string' },
  registry: { type: 'string' },
} as const;

export const REGISTRY_USAGE = `  --data-dir DIR   the data dir of 'airbox serve' (default ./data); works while it runs: a
                   running server sees every change within a second
  --registry FILE|URL  the registry 'airbox serve --registry' was given: a SQLite file or
                   a postgres:// URL (default DATA_DIR/devices.db)`;

/** Where the flags say the registry is: `--registry`, else the data dir's file. */
export function registryLocation(values: { 'data-dir'?: string; registry?: string }): string {
  return values.registry ?? dataDirRegistry(values['data-dir'] ?? 'data');
}

/**
 * Prints a registry refusal as `airbox <what>: <message> (<code>)` and its hint, and
 * answers exit code 1; anything else is rethrown for main() to report.
 */
export function reportRegistryError(io: CliIo, what: string, e: unknown): number {
  if (!(e instanceof RegistryError)) throw e;
  const hint = e.hint === undefined ? '' : `\n  ${e.hint}`;
  io.stderr.write(`airbox ${what}: ${e.message} (${e.code})${hint}\n`);
  return 1;
}
