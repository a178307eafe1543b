import { mkdir, open, rm, stat, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CodedError } from '@airbox/contracts';

/**
 * One writer of a day at a time, across processes (serve's daily run and `airbox archive`
 * by hand): a lock file made with O_EXCL. The holder touches it as it goes; one untouched
 * for STALE_MS was left by a process that died, and is taken over.
 */
const STALE_MS = 10 * 60_000;
const POLL_MS = 200;

export class ArchiveBusyError extends CodedError<'archive-busy'> {}

export interface DayLock {
  /** Marks the holder alive (call at least every few minutes). */
  touch(): Promise<void>;
  release(): Promise<void>;
}

export async function lockDay(path: string, waitMs: number): Promise<DayLock> {
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      return {
        touch: async () => {
          const now = new Date();
          await utimes(path, now, now).catch(() => undefined);
        },
        release: () => rm(path, { force: true }),
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const age = await stat(path).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_MS) {
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ArchiveBusyError(
        'archive-busy',
        `another process is writing this day's archive (${path}); try again when it has finished`,
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
