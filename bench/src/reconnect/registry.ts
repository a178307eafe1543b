/**
 * The registry a reconnect storm runs against: a fresh PostgreSQL (testkit's startPostgres,
 * Debian's server in a temporary cluster) or a SQLite file, with N boxes registered through
 * the registry port as `airbox device` would, so the broker reads exactly what a deployment's
 * registry holds.
 */
import { join } from 'node:path';
import { openPostgresRegistry, openSqliteRegistry, type Registry } from '@airbox/registry';
import { startPostgres } from '@airbox/testkit';
import type { BoxLogin } from './storm.ts';

export const REGISTRY_KINDS = ['postgres', 'sqlite'] as const;
export type RegistryKind = (typeof REGISTRY_KINDS)[number];

export function isRegistryKind(name: string): name is RegistryKind {
  return (REGISTRY_KINDS as readonly string[]).includes(name);
}

export interface BenchRegistry {
  kind: RegistryKind;
  /** What `airbox serve --registry` is given: the SQLite file or the postgres:// URL. */
  location: string;
  logins: BoxLogin[];
  /** Seconds spent registering the boxes (issueMany in batches). */
  registerS: number;
  /** Stops the PostgreSQL server it started, if any. */
  stop(): Promise<void>;
}

/** Boxes registered per transaction: one `issueMany` each. */
const BATCH = 1000;

export async function prepareRegistry(
  kind: RegistryKind,
  boxes: number,
  dir: string,
  progress: (message: string) => void,
): Promise<BenchRegistry> {
  if (kind === 'sqlite') {
    const location = join(dir, 'devices.db');
    const { logins, registerS } = await register(
      await openSqliteRegistry(location),
      boxes,
      progress,
    );
    return { kind, location, logins, registerS, stop: async () => {} };
  }
  progress('starting PostgreSQL…');
  const server = await startPostgres();
  try {
    const { logins, registerS } = await register(
      await openPostgresRegistry(server.url),
      boxes,
      progress,
    );
    return { kind, location: server.url, logins, registerS, stop: () => server.stop() };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Registers `reconnect-0` … `reconnect-(N-1)` and closes the registry. */
async function register(registry: Registry, boxes: number, progress: (m: string) => void) {
  progress(`registering ${boxes.toLocaleString('en-US')} boxes in the ${registry.kind} registry…`);
  const t0 = performance.now();
  const logins: BoxLogin[] = [];
  try {
    for (let start = 0; start < boxes; start += BATCH) {
      const ids = Array.from(
        { length: Math.min(BATCH, boxes - start) },
        (_, i) => `reconnect-${start + i}`,
      );
      logins.push(...(await registry.devices.issueMany(ids)));
    }
  } finally {
    await registry.close();
  }
  return { logins, registerS: Math.round((performance.now() - t0) / 100) / 10 };
}
