// Starts a task thread from the TypeScript sources (see entry.ts): tsx's loader first, for
// this thread, then the module that runs the task. The bundle starts task-worker.mjs instead.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.module);
