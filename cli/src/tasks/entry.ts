/** How a task thread starts: the file a Worker runs, and the module it then imports (if any). */
export interface TaskWorkerEntry {
  file: URL;
  /** The TypeScript module bootstrap.mjs imports once tsx is registered; null when bundled. */
  module: string | null;
}

/**
 * The one place that tells the bundle from the sources. Built by scripts/build.mjs, this code
 * is part of cli/dist/airbox.mjs, and the task threads' own bundle, task-worker.mjs, lies
 * beside it. Run from the TypeScript sources (bin/airbox.js's tsx fallback, vitest), a Worker
 * does not load .ts even with execArgv ['--import', 'tsx'] (measured), so bootstrap.mjs
 * registers tsx in the new thread first and then imports worker-main.ts.
 */
export function taskWorkerEntry(here: string = import.meta.url): TaskWorkerEntry {
  if (here.endsWith('.mjs')) return { file: new URL('./task-worker.mjs', here), module: null };
  return {
    file: new URL('./bootstrap.mjs', here),
    module: new URL('./worker-main.ts', here).href,
  };
}
