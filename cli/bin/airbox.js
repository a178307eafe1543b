#!/usr/bin/env node
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const bundle = new URL('../dist/airbox.mjs', import.meta.url);

/** Newest modification time of the TypeScript sources the bundle is built from. */
function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'test') continue;
    const path = new URL(entry.name + (entry.isDirectory() ? '/' : ''), dir);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

// The bundle (scripts/build.mjs) when it is at least as new as every source; otherwise
// the sources through tsx, so an edit is never run stale.
const sources = [
  'packages/',
  'ingest/',
  'web/',
  'calibrate/',
  'firmware-sim/',
  'bench/',
  'cli/',
].map((d) => new URL(d, root));
const fresh =
  existsSync(bundle) &&
  statSync(bundle).mtimeMs >= Math.max(...sources.filter((d) => existsSync(d)).map(newestSourceMs));

let main;
if (fresh) {
  ({ main } = await import(bundle.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
