// Bundles the `airbox` command into one JavaScript file (cli/dist/airbox.mjs), so
// that running it needs no TypeScript loader: the loader's worker thread costs ~35 MB of
// RSS in every process, which matters for a broker holding 15,000 connections. The task
// threads (cli/src/tasks: refits, surfaces) get a bundle of their own beside it,
// cli/dist/task-worker.mjs, which cli/src/tasks/entry.ts starts when it runs bundled.
// Workspace packages (@airbox/*) are bundled; third-party packages stay external and are
// resolved at run time from cli/node_modules (the CLI lists them as dependencies).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));

const externalThirdParty = {
  name: 'external-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@airbox/') ? undefined : { path: args.path, external: true },
    );
  },
};

const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'cli/src/main.ts', out: 'airbox' },
    { in: 'cli/src/tasks/worker-main.ts', out: 'task-worker' },
  ],
  outdir: 'cli/dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [externalThirdParty],
});
console.error(`build: cli/dist/airbox.mjs, task-worker.mjs in ${Date.now() - started} ms`);

// The browser app (web/app → web/dist), which `airbox serve` serves at /.
const appStarted = Date.now();
await viteBuild({
  configFile: fileURLToPath(new URL('../web/vite.config.ts', import.meta.url)),
  logLevel: 'error',
});
console.error(`build: web/dist (browser app) in ${Date.now() - appStarted} ms`);
