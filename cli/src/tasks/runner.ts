import { Worker } from 'node:worker_threads';
import { taskWorkerEntry, type TaskWorkerEntry } from './entry.ts';
import { TaskError } from './errors.ts';
import { isTaskMessage, remoteError, type TaskStart } from './protocol.ts';
import type { TaskInput, TaskName, TaskProgress, TaskResult } from './table.ts';

export interface TaskRunnerOptions {
  /** Tasks running at once, each in a thread of its own (default 1). */
  maxRunning?: number;
  /** Tasks waiting for a thread; beyond this, run() refuses (`task-queue-full`). Default 32. */
  maxQueued?: number;
  /** Where a thread starts (default: entry.ts's choice of bundle or sources). */
  entry?: TaskWorkerEntry;
}

export interface TaskRunOptions<Progress> {
  /** Aborting ends the task: dropped from the queue, or its thread terminated. */
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

interface Job {
  name: TaskName;
  input: unknown;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  onProgress: (progress: unknown) => void;
  resolve: (result: unknown) => void;
  reject: (error: TaskError) => void;
  worker: Worker | null;
  settled: boolean;
}

/**
 * Runs named tasks (tasks/table.ts) in worker threads, so CPU-heavy work (a calibration
 * refit, a kriging surface) never holds up the event loop that answers devices and
 * browsers. A task gets a fresh thread, which opens what it needs itself and hands back
 * only its result (plain data), with progress on the way; a thread is terminated when its
 * task is aborted or the runner stopped. Threads run at a lower CPU priority where the OS
 * has one per thread (priority.ts).
 */
export class TaskRunner {
  readonly #maxRunning: number;
  readonly #maxQueued: number;
  readonly #entry: TaskWorkerEntry;
  readonly #queue: Job[] = [];
  readonly #running = new Set<Job>();
  readonly #exiting = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: TaskRunnerOptions = {}) {
    this.#maxRunning = options.maxRunning ?? 1;
    this.#maxQueued = options.maxQueued ?? 32;
    this.#entry = options.entry ?? taskWorkerEntry();
  }

  get running(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Runs task `name` on `input` in a thread; resolves with its result, or a TaskError. */
  run<N extends TaskName>(
    name: N,
    input: TaskInput<N>,
    options: TaskRunOptions<TaskProgress<N>> = {},
  ): Promise<TaskResult<N>> {
    return new Promise((resolve, reject) => {
      const refusal = this.#refusal(name, options.signal);
      if (refusal !== null) return reject(refusal);
      const job: Job = {
        name,
        input,
        signal: options.signal,
        onAbort: () => this.#settle(job, aborted(name)),
        // The thread runs this same task's code: what it posts has the task's own types.
        onProgress: (p) => options.onProgress?.(p as TaskProgress<N>),
        resolve: (result) => resolve(result as TaskResult<N>),
        reject,
        worker: null,
        settled: false,
      };
      options.signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Ends every task, queued or running (`task-stopped`); resolves once their threads exited. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of [...this.#queue, ...this.#running]) {
      this.#settle(job, stopped(job.name, 'stopped: the runner is stopping'));
    }
    await Promise.all(this.#exiting);
  }

  #refusal(name: TaskName, signal: AbortSignal | undefined): TaskError | null {
    if (this.#stopped) return stopped(name, 'refused: the runner is stopped');
    if (signal?.aborted) return aborted(name);
    if (this.#queue.length >= this.#maxQueued) {
      const message = `task ${name} refused: ${this.#queue.length} tasks already waiting (maxQueued); retry later`;
      return new TaskError('task-queue-full', name, message, null);
    }
    return null;
  }

  #pump(): void {
    while (!this.#stopped && this.#running.size < this.#maxRunning) {
      const job = this.#queue.shift();
      if (job === undefined) return;
      this.#start(job);
    }
  }

  #start(job: Job): void {
    const workerData: TaskStart = { module: this.#entry.module, name: job.name, input: job.input };
    let worker: Worker;
    try {
      worker = new Worker(this.#entry.file, { workerData, name: `airbox task ${job.name}` });
    } catch (e) {
      // An input that is not plain data (DataCloneError) fails here, not in the thread.
      return this.#settle(job, failed(job.name, remoteError(e)));
    }
    job.worker = worker;
    this.#running.add(job);
    worker.on('message', (m: unknown) => this.#onMessage(job, m));
    worker.on('error', (e) => this.#settle(job, failed(job.name, remoteError(e))));
    worker.on('exit', (code) => {
      const message = `task ${job.name}: its thread ended (exit code ${code}) without an answer`;
      this.#settle(job, new TaskError('task-crashed', job.name, message, null));
    });
  }

  #onMessage(job: Job, m: unknown): void {
    if (!isTaskMessage(m)) {
      const error = { name: 'TypeError', code: null, message: 'posted a message of no known kind' };
      return this.#settle(job, failed(job.name, error));
    }
    if (m.kind === 'progress') return job.onProgress(m.progress);
    this.#settle(job, m.kind === 'result' ? { result: m.result } : failed(job.name, m.error));
  }

  /** The job's one outcome: removed from the queue or the running, its thread ended. */
  #settle(job: Job, outcome: { result: unknown } | TaskError): void {
    if (job.settled) return;
    job.settled = true;
    job.signal?.removeEventListener('abort', job.onAbort);
    const waiting = this.#queue.indexOf(job);
    if (waiting >= 0) this.#queue.splice(waiting, 1);
    this.#running.delete(job);
    if (job.worker !== null) this.#terminate(job.worker);
    if (outcome instanceof TaskError) job.reject(outcome);
    else job.resolve(outcome.result);
    this.#pump();
  }

  /** Ends a thread, also one that answered (it may hold sockets open); stop() waits for it. */
  #terminate(worker: Worker): void {
    const exiting = worker.terminate().then(
      () => undefined,
      () => undefined,
    );
    this.#exiting.add(exiting);
    void exiting.then(() => this.#exiting.delete(exiting));
  }
}

function stopped(name: TaskName, what: string): TaskError {
  return new TaskError('task-stopped', name, `task ${name} ${what}`, null);
}

function aborted(name: TaskName): TaskError {
  return new TaskError('task-aborted', name, `task ${name} aborted by its caller`, null);
}

function failed(name: TaskName, remote: ReturnType<typeof remoteError>): TaskError {
  const code = remote.code === null ? '' : ` (${remote.code})`;
  return new TaskError(
    'task-failed',
    name,
    `task ${name} failed: ${remote.message}${code}`,
    remote,
  );
}
