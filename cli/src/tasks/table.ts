import type { TaskContext } from './define.ts';
import { archiveTask } from './archive-task.ts';
import { healthTask } from './health-task.ts';
import { refitTask } from './refit-task.ts';
import { selfCheckTask } from './self-check-task.ts';
import { surfaceTask } from './surface-task.ts';

/** Every task a task thread can run, by name (TaskRunner#run names one). */
export const TASKS = {
  'calibration-refit': refitTask,
  surface: surfaceTask,
  'self-check': selfCheckTask,
  'archive-day': archiveTask,
  health: healthTask,
};

export type TaskTable = typeof TASKS;
export type TaskName = keyof TaskTable;
export type TaskInput<N extends TaskName> = ReturnType<TaskTable[N]['parse']>;
export type TaskResult<N extends TaskName> = Awaited<ReturnType<TaskTable[N]['run']>>;
export type TaskProgress<N extends TaskName> =
  Parameters<TaskTable[N]['run']>[1] extends TaskContext<infer P> ? P : never;

export function isTaskName(name: unknown): name is TaskName {
  return typeof name === 'string' && Object.hasOwn(TASKS, name);
}
