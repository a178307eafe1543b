import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@airbox/testkit';
import { TASK_NICE, TaskError, TaskRunner, taskWorkerEntry } from '../src/tasks/index.ts';

/** Rejection of `p` as a TaskError (fails the test if it resolves or throws another error). */
async function taskError(p: Promise<unknown>): Promise<TaskError> {
  const error: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TaskError);
  return error as TaskError;
}

describe('task runner (worker threads)', () => {
  const runner = new TaskRunner({ maxRunning: 2, maxQueued: 2 });
  const dir = tempDir('tasks');
  afterAll(async () => {
    await runner.stop();
    dir.remove();
  });

  it('runs a task in a thread at a lower priority, streaming progress, the loop free meanwhile', async () => {
    const progress: number[] = [];
    let ticks = 0;
    let longestGapMs = 0;
    let lastMs = performance.now();
    const timer = setInterval(() => {
      const nowMs = performance.now();
      longestGapMs = Math.max(longestGapMs, nowMs - lastMs);
      lastMs = nowMs;
      ticks++;
    }, 10);
    const result = await runner.run(
      'self-check',
      { busyMs: 1500, progressEveryMs: 100 },
      { onProgress: (p) => progress.push(p.busyMs) },
    );
    clearInterval(timer);
    expect(result.nice).toBe(process.platform === 'linux' ? TASK_NICE : null);
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // 1.5 s of a busy thread, and this thread's timer kept its 10 ms pace.
    expect(ticks).toBeGreaterThan(50);
    expect(longestGapMs).toBeLessThan(250);
    expect(runner.running).toBe(0);
  });

  it('ends a task when its caller aborts, at once even while the thread is busy', async () => {
    const abort = new AbortController();
    const started = performance.now();
    const run = runner.run(
      'self-check',
      { busyMs: 60_000, progressEveryMs: 50 },
      { signal: abort.signal, onProgress: () => abort.abort() },
    );
    expect((await taskError(run)).code).toBe('task-aborted');
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(runner.running).toBe(0);
  });

  it("hands back a task's own error by code, and refuses input the task cannot take", async () => {
    // A directory where the model registry should be: the refit cannot open it.
    const registryPath = join(dir.path, 'calibration.sqlite');
    mkdirSync(registryPath);
    const input = { nowMs: Date.now(), dataDir: dir.path, registryPath, store: {} };
    const failed = await taskError(runner.run('calibration-refit', input));
    expect(failed.code).toBe('task-failed');
    expect(failed.remote).toMatchObject({ name: 'CalibrationError', code: 'registry-unusable' });
    expect(failed.message).toMatch(/^task calibration-refit failed: cannot open model registry/);

    const bad = { ...input, nowMs: 'today' } as unknown as typeof input;
    const refused = await taskError(runner.run('calibration-refit', bad));
    expect(refused.code).toBe('task-failed');
    expect(refused.remote?.name).toBe('ZodError');
    // Not plain data: refused before a thread starts.
    const unclonable = { ...input, store: { store: () => 'sqlite' } } as unknown as typeof input;
    const notSent = await taskError(runner.run('calibration-refit', unclonable));
    expect(notSent.remote?.name).toBe('DataCloneError');
  });

  it('refits on its own connections: an empty store is the refit’s coded error', async () => {
    const input = {
      nowMs: Date.now(),
      dataDir: dir.path,
      registryPath: join(dir.path, 'models', 'calibration.sqlite'),
      store: {},
    };
    const stages: string[] = [];
    const failed = await taskError(
      runner.run('calibration-refit', input, { onProgress: (p) => stages.push(p.stage) }),
    );
    expect(failed.remote?.code).toBe('no-colocations');
    expect(stages).toEqual(['opened']);
  });

  it('bounds its queue, and stop() ends what runs and what waits', async () => {
    const own = new TaskRunner({ maxRunning: 1, maxQueued: 1 });
    const busy = { busyMs: 60_000, progressEveryMs: 1000 };
    // Their rejections are handled from the start (they come before stop() resolves).
    const running = taskError(own.run('self-check', busy));
    const waiting = taskError(own.run('self-check', busy));
    expect((await taskError(own.run('self-check', busy))).code).toBe('task-queue-full');
    expect([own.running, own.queued]).toEqual([1, 1]);
    await own.stop();
    expect((await running).code).toBe('task-stopped');
    expect((await waiting).code).toBe('task-stopped');
    expect((await taskError(own.run('self-check', busy))).code).toBe('task-stopped');
    expect([own.running, own.queued]).toEqual([0, 0]);
  });

  it('starts from the bundle beside it when bundled, else through the tsx bootstrap', () => {
    const bundled = taskWorkerEntry('file:///srv/airbox/cli/dist/airbox.mjs');
    expect(bundled).toEqual({
      file: new URL('file:///srv/airbox/cli/dist/task-worker.mjs'),
      module: null,
    });
    const sources = taskWorkerEntry('file:///srv/airbox/cli/src/tasks/entry.ts');
    expect(sources.file.href).toBe('file:///srv/airbox/cli/src/tasks/bootstrap.mjs');
    expect(sources.module).toBe('file:///srv/airbox/cli/src/tasks/worker-main.ts');
  });
});
