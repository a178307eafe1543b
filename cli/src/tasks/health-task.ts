import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HEALTH_PROBLEM_CODES } from '@airbox/contracts';
import { evaluateHealth, loadHealthInput, type DeviceHealth } from '@airbox/health';
import { z } from 'zod';
import { openStore } from '../store-options.ts';
import { defineTask } from './define.ts';

const Problem = z.object({
  code: z.enum(HEALTH_PROBLEM_CODES),
  since: z.string(),
  detail: z.string(),
});

const HealthTaskInput = z.object({
  nowMs: z.number().finite(),
  dataDir: z.string().min(1),
  /** The store flags of the server (storeValues), so this thread opens the same store. */
  store: z.record(z.string(), z.string()),
  /** Hours of roll-up: 48 for the fast detectors, 14 days with `slow`. */
  hours: z
    .number()
    .int()
    .min(2)
    .max(24 * 60),
  slow: z.boolean(),
  indoorIds: z.array(z.string()),
  /** [deviceId, lat, lon] where the registry has a position. */
  registered: z.array(z.tuple([z.string(), z.number(), z.number()])),
  /** The slow problems of the last slow run, kept by a fast one. */
  carried: z.array(z.tuple([z.string(), z.array(Problem)])),
});
export type HealthTaskInput = z.output<typeof HealthTaskInput>;

/**
 * One health evaluation (@airbox/health) on this thread's own store connection: it reads
 * the window of hourly roll-ups and judges every box, away from the broker's event loop.
 */
async function evaluateOwnConnection(input: HealthTaskInput): Promise<DeviceHealth[]> {
  // Only read here: a spill directory of its own, empty, so the server's is never replayed.
  const spillDir =
    input.store['store'] === 'influxdb' ? mkdtempSync(join(tmpdir(), 'airbox-health-')) : undefined;
  try {
    const store = await openStore(input.store, input.dataDir, process.env, { spillDir });
    try {
      const health = await loadHealthInput(store, {
        hours: input.hours,
        nowMs: input.nowMs,
        indoorIds: new Set(input.indoorIds),
        registered: new Map(input.registered.map(([id, lat, lon]) => [id, { lat, lon }])),
      });
      return evaluateHealth(health, { slow: input.slow, carried: new Map(input.carried) });
    } finally {
      await store.close();
    }
  } finally {
    if (spillDir !== undefined) rmSync(spillDir, { recursive: true, force: true });
  }
}

export const healthTask = defineTask(
  (input) => HealthTaskInput.parse(input),
  evaluateOwnConnection,
);
