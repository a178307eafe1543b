import { join, resolve } from 'node:path';
import { openPostgresRegistry, openSqliteRegistry, type Registry } from '@airbox/registry';

/** `--registry`'s PostgreSQL form (libpq's URI schemes). */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

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
  if (POSTGRES_URL.test(location)) return openPostgresRegistry(location, { now });
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
