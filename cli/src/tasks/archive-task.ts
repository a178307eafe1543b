import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { archiveDay, DATA_LICENSES, type ArchiveDayResult } from '@airbox/web';
import { publicStoreFromRegistry } from '../archive/public-store.ts';
import { openRegistryAt } from '../registry-options.ts';
import { openStore } from '../store-options.ts';
import { defineTask, type TaskContext } from './define.ts';

const ArchiveInput = z.object({
  day: z.string(),
  dataDir: z.string().min(1),
  /** The archive root (<data-dir>/archive unless --out). */
  root: z.string().min(1),
  /** The registry serve uses (a devices.db path or a postgres:// URL): which boxes are private. */
  registry: z.string().min(1),
  store: z.record(z.string(), z.string()),
  license: z.enum(Object.keys(DATA_LICENSES) as [keyof typeof DATA_LICENSES]),
  publisher: z.string(),
  baseUrl: z.string(),
});
export type ArchiveTaskInput = z.output<typeof ArchiveInput>;
export const parseArchiveInput = (input: unknown) => ArchiveInput.parse(input);

export interface ArchiveProgress {
  day: string;
  devices: number;
  of: number;
  rows: number;
}

/**
 * One day's archive, on connections of its own to the store and the registry (a task
 * thread's, or `airbox archive`'s process): it only reads, so with InfluxDB it gets an empty
 * spill directory of its own and the server's is never replayed twice.
 */
export async function archiveOwnConnections(
  input: ArchiveTaskInput,
  ctx: Pick<TaskContext<ArchiveProgress>, 'progress'>,
): Promise<ArchiveDayResult> {
  const registry = await openRegistryAt(input.registry, Date.now);
  const spillDir =
    input.store['store'] === 'influxdb'
      ? mkdtempSync(join(tmpdir(), 'airbox-archive-'))
      : undefined;
  try {
    const store = await openStore(input.store, input.dataDir, process.env, { spillDir });
    try {
      let last = 0;
      return await archiveDay({
        store: await publicStoreFromRegistry(store, registry),
        root: input.root,
        day: input.day,
        terms: { license: DATA_LICENSES[input.license], publisher: input.publisher },
        baseUrl: input.baseUrl,
        // One line a second at most: a big day has tens of thousands of boxes.
        onProgress: (p) => {
          if (Date.now() - last < 1000 && p.devices < p.of) return;
          last = Date.now();
          ctx.progress(p);
        },
      });
    } finally {
      await store.close();
    }
  } finally {
    await registry.close();
    if (spillDir !== undefined) rmSync(spillDir, { recursive: true, force: true });
  }
}

export const archiveTask = defineTask(parseArchiveInput, archiveOwnConnections);
