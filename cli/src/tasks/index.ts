export { TaskRunner, type TaskRunnerOptions, type TaskRunOptions } from './runner.ts';
export { TASK_ERROR_CODES, TaskError, type TaskErrorCode } from './errors.ts';
export { taskWorkerEntry, type TaskWorkerEntry } from './entry.ts';
export { TASK_NICE } from './priority.ts';
export type { TaskInput, TaskName, TaskProgress, TaskResult } from './table.ts';
