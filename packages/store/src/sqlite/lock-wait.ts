import type Database from 'better-sqlite3';

/** How long a write waits for another connection's write lock before it fails (open.ts). */
export const BUSY_TIMEOUT_MS = 5000;
const MAX_RETRY_MS = 10;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `write` (a transaction that takes the write lock first: `.immediate`) and, while
 * another connection holds that lock — `airbox calibrate recalibrate`, a backup, the CLI —
 * waits for it on timers instead of in SQLite's busy handler. The busy handler sleeps in
 * the calling thread: in `airbox serve` that is the event loop, so every wait for the lock
 * was a stall of the broker and the API with it (better-sqlite3 is synchronous). The
 * connection's own busy timeout is off only for the attempt, so every other statement
 * keeps it. Gives up, as the busy handler did, after BUSY_TIMEOUT_MS.
 */
export async function writeWithoutBlocking<T>(db: Database.Database, write: () => T): Promise<T> {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  for (let waitMs = 1; ; waitMs = Math.min(waitMs * 2, MAX_RETRY_MS)) {
    db.pragma('busy_timeout = 0');
    try {
      return write();
    } catch (error) {
      if (!isBusy(error) || performance.now() >= deadline) throw error;
    } finally {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
    await sleep(waitMs);
  }
}
