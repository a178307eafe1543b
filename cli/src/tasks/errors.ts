import { CodedError } from '@airbox/contracts';
import type { RemoteError } from './protocol.ts';

export const TASK_ERROR_CODES = [
  /** The task threw; `remote` says what. */
  'task-failed',
  /** The thread ended (crashed, out of memory) without an answer. */
  'task-crashed',
  /** The caller's AbortSignal fired; the thread was terminated. */
  'task-aborted',
  /** The runner was stopped (server shutdown); the thread was terminated. */
  'task-stopped',
  /** Too many tasks waiting already. */
  'task-queue-full',
] as const;
export type TaskErrorCode = (typeof TASK_ERROR_CODES)[number];

/** A task that gave no result; the message names the task. */
export class TaskError extends CodedError<TaskErrorCode> {
  readonly task: string;
  /** For task-failed: the error the task threw, as the thread reported it. */
  readonly remote: RemoteError | null;

  constructor(code: TaskErrorCode, task: string, message: string, remote: RemoteError | null) {
    super(code, message);
    this.task = task;
    this.remote = remote;
  }
}
