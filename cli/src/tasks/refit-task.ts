import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { openModelRegistry, refit, type RefitResult } from '@airbox/calibrate';
import { openStore } from '../store-options.ts';
import { defineTask, type TaskContext } from './define.ts';

const RefitInput = z.object({
  /** The window ends at the start of this hour (epoch ms). */
  nowMs: z.number().finite(),
  dataDir: z.string().min(1),
  /** The model registry the server's provider polls (calibration.sqlite). */
  registryPath: z.string().min(1),
  /** The store flags of the server (storeValues), so this thread opens the same store. */
  store: z.record(z.string(), z.string()),
});
export type RefitTaskInput = z.output<typeof RefitInput>;

/** Where a refit is, for the log: the store is open, then the refit is done. */
export interface RefitProgress {
  stage: 'opened' | 'fitted';
  elapsedMs: number;
}

/**
 * The calibration refit, on this thread's own connections: the model registry and the
 * readings (SQLite in WAL mode lets it read while the server writes; InfluxDB through a
 * client of its own). What it activates reaches the server's provider through the
 * registry's version, which the provider polls.
 */
async function refitOwnConnections(
  input: RefitTaskInput,
  ctx: TaskContext<RefitProgress>,
): Promise<RefitResult> {
  const startedMs = performance.now();
  const elapsedMs = () => Math.round(performance.now() - startedMs);
  // Only read here: a spill directory of its own, empty, so the server's is never replayed twice.
  const spillDir =
    input.store['store'] === 'influxdb' ? mkdtempSync(join(tmpdir(), 'airbox-refit-')) : undefined;
  const registry = openModelRegistry({ path: input.registryPath });
  try {
    const store = await openStore(input.store, input.dataDir, process.env, { spillDir });
    try {
      ctx.progress({ stage: 'opened', elapsedMs: elapsedMs() });
      const result = await refit(registry, store, { now: input.nowMs });
      ctx.progress({ stage: 'fitted', elapsedMs: elapsedMs() });
      return result;
    } finally {
      await store.close();
    }
  } finally {
    registry.close();
    if (spillDir !== undefined) rmSync(spillDir, { recursive: true, force: true });
  }
}

export const refitTask = defineTask((input) => RefitInput.parse(input), refitOwnConnections);
