/**
 * The entry of a task thread (bundled as cli/dist/task-worker.mjs; from the sources through
 * bootstrap.mjs): lowers its own priority, runs the task its workerData names, posts the
 * progress and then the result or the error, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { lowerThreadPriority } from './priority.ts';
import { remoteError, type TaskMessage } from './protocol.ts';
import { isTaskName, TASKS, type TaskName } from './table.ts';

function startOf(data: unknown): { name: TaskName; input: unknown } {
  const start =
    typeof data === 'object' && data !== null
      ? new Map<string, unknown>(Object.entries(data))
      : null;
  const name = start?.get('name');
  if (!isTaskName(name)) {
    throw new Error(`task thread started for ${String(name)}: no such task; see tasks/table.ts`);
  }
  return { name, input: start?.get('input') };
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('worker-main runs as a task thread (TaskRunner), not alone');
  const post = (message: TaskMessage) => port.postMessage(message);
  try {
    lowerThreadPriority();
    const { name, input } = startOf(workerData as unknown);
    const ctx = { progress: (progress: unknown) => post({ kind: 'progress', progress }) };
    post({ kind: 'result', result: await TASKS[name].start(input, ctx) });
  } catch (e) {
    post({ kind: 'error', error: remoteError(e) });
  }
}

await main();
