import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { manifestPath } from '@airbox/web';
import { storeValues } from '../store-options.ts';
import type { TaskRunner } from '../tasks/index.ts';
import { dataDirRegistry } from '../registry-options.ts';
import type { ServeBase } from './ingest.ts';

const DAY_MS = 86_400_000;
/** Readings of a day still arrive after it ends (backfills from boxes that were offline). */
const AFTER_MIDNIGHT_MS = 15 * 60_000;
/** Days missing from the archive that a start or a daily run fills in, at most. */
const CATCH_UP_DAYS = 7;
const FIRST_RUN_AFTER_MS = 10_000;

export interface ArchiveSchedule {
  /** Archives yesterday and the missing days of the last week, one after another. */
  runNow(): Promise<void>;
  stop(): void;
}

export const archiveRoot = (dataDir: string) => join(dataDir, 'archive');

/**
 * The daily open-data archive (issue 18): shortly after each UTC midnight, the day that
 * ended and any of the week before that has no manifest yet, each in a task thread (its own
 * store and registry connections), so serve's event loop only hears the progress.
 */
export function startArchives(
  { v, io, log, dataDir, openData, publicUrl }: ServeBase,
  tasks: TaskRunner,
  httpPort: () => number | null,
): ArchiveSchedule | null {
  if (v['no-archive']) return null;
  const root = archiveRoot(dataDir);
  const registry = v.registry ?? dataDirRegistry(dataDir);
  const store = storeValues(v);
  const one = async (day: string) => {
    const baseUrl = publicUrl?.origin ?? `http://localhost:${httpPort() ?? 8080}`;
    const input = {
      day,
      dataDir,
      root,
      registry,
      store,
      license: openData.license.id,
      publisher: openData.publisher,
      baseUrl,
    };
    const result = await tasks.run('archive-day', input, {
      onProgress: (p) => log('archive-progress', { ...p }),
    });
    if (result.changed || result.rows > 0) log('archive', { ...result });
  };
  let running: Promise<void> | null = null;
  const runNow = (): Promise<void> => {
    running ??= (async () => {
      for (const day of dueDays(io.now(), root)) {
        await one(day).catch((e: unknown) =>
          log('archive-failed', { day, error: (e as Error).message }),
        );
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };
  // The first run fills in what is missing once start-up has settled; then daily.
  let timer = setTimeout(function tick() {
    void runNow();
    timer = setTimeout(tick, untilNextRun(io.now()));
    timer.unref();
  }, FIRST_RUN_AFTER_MS);
  timer.unref();
  return { runNow, stop: () => clearTimeout(timer) };
}

/** Yesterday (again: idempotent, a new version if it changed), then the missing days before it. */
function dueDays(nowMs: number, root: string): string[] {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const days: string[] = [];
  for (let k = 1; k <= CATCH_UP_DAYS; k++) {
    const day = new Date(today - k * DAY_MS).toISOString().slice(0, 10);
    if (k === 1 || !existsSync(join(root, manifestPath(day)))) days.push(day);
  }
  return days;
}

function untilNextRun(nowMs: number): number {
  const next = Math.floor(nowMs / DAY_MS) * DAY_MS + AFTER_MIDNIGHT_MS;
  return (next > nowMs ? next : next + DAY_MS) - nowMs;
}
