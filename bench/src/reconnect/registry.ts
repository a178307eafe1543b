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
  /** One `devices.snapshot()` of them all, what a broker's view loads before it listens. */
  snapshotMs: number;
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
    const registered = await register(await openSqliteRegistry(location), boxes, progress);
    return { kind, location, ...registered, stop: async () => {} };
  }
  progress('starting PostgreSQL…');
  const server = await startPostgres();
  try {
    const registered = await register(await openPostgresRegistry(server.url), boxes, progress);
    return { kind, location: server.url, ...registered, stop: () => server.stop() };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/** Registers `reconnect-0` … `reconnect-(N-1)`, times one snapshot, closes the registry. */
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
    const registerS = Math.round((performance.now() - t0) / 100) / 10;
    const t1 = performance.now();
    const { devices } = await registry.devices.snapshot();
    const snapshotMs = Math.round(performance.now() - t1);
    if (devices.length !== boxes)
      throw new Error(`the ${registry.kind} registry holds ${devices.length} boxes, not ${boxes}`);
    return { logins, registerS, snapshotMs };
  } finally {
    await registry.close();
  }
}
