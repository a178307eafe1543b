import { z } from 'zod';
import { defineTask, type TaskContext } from './define.ts';
import { threadNice } from './priority.ts';

const SelfCheckInput = z.object({
  /** Keep the thread's CPU busy this long (to see it run beside the event loop). */
  busyMs: z.number().min(0).max(600_000),
  /** Report progress this often while busy. */
  progressEveryMs: z.number().positive(),
});

/**
 * A task thread's own check: that one starts, reports progress, ends when told to, and
 * runs at the lowered priority (its nice value; null where the OS has none per thread).
 */
export const selfCheckTask = defineTask(
  (input) => SelfCheckInput.parse(input),
  async ({ busyMs, progressEveryMs }, ctx: TaskContext<{ busyMs: number }>) => {
    const startMs = Date.now();
    let nextMs = startMs;
    // Busy on purpose: a thread whose loop never turns must still be stoppable.
    for (let nowMs = startMs; nowMs - startMs < busyMs; nowMs = Date.now()) {
      if (nowMs >= nextMs) {
        ctx.progress({ busyMs: nowMs - startMs });
        nextMs += progressEveryMs;
      }
    }
    return { nice: threadNice() };
  },
);
