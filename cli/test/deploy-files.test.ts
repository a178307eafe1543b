import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@airbox/testkit';
import { parseCommandArgs, runAsCommand } from '../src/args.ts';
import { SERVE_OPTIONS } from '../src/commands/serve.ts';
import { WORKER_OPTIONS } from '../src/commands/worker.ts';

/**
 * deploy/ is read by operators and by systemd, Docker and Kubernetes, not by the compiler:
 * these checks keep it true to the code. Every config file loads with the command it is
 * for; the single-box file documents every option of `airbox serve`; every airbox command
 * line in the units, compose file and manifests uses only flags that command has.
 */
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');

type Options = typeof SERVE_OPTIONS | typeof WORKER_OPTIONS;
const COMMANDS: Record<string, Options> = { serve: SERVE_OPTIONS, worker: WORKER_OPTIONS };

function loads(command: string, text: string): void {
  const dir = tempDir('deploy-conf');
  try {
    const file = join(dir.path, 'airbox.conf');
    writeFileSync(file, text);
    runAsCommand(command, () => parseCommandArgs(['--config', file], COMMANDS[command]!));
  } finally {
    dir.remove();
  }
}

/** The config files a ConfigMap holds, by key (`name.conf: |` then indented lines). */
function configMapFiles(yaml: string): Map<string, string> {
  const files = new Map<string, string>();
  const re = /^ {2}([\w.-]+\.conf): \|\n((?: {4}.*\n|\n)+)/gm;
  for (const m of yaml.matchAll(re)) {
    files.set(m[1]!, m[2]!.replace(/^ {4}/gm, ''));
  }
  return files;
}

describe('deploy/ matches the code', () => {
  it('the config files load with the command they are for', () => {
    loads('serve', read('single/airbox.conf'));
    loads('serve', read('cluster/airbox-broker.conf'));
    loads('worker', read('cluster/airbox-worker.conf'));
    const map = configMapFiles(read('cluster/k8s/configmap.yaml'));
    expect([...map.keys()].sort()).toEqual(['airbox-broker.conf', 'airbox-worker.conf']);
    loads('serve', map.get('airbox-broker.conf')!);
    loads('worker', map.get('airbox-worker.conf')!);
  });

  it('single/airbox.conf documents every option of airbox serve', () => {
    const text = read('single/airbox.conf');
    const missing = Object.keys(SERVE_OPTIONS).filter(
      (name) => !new RegExp(`^#? ?${name} =`, 'm').test(text),
    );
    expect(missing).toEqual([]);
  });

  it('every airbox command line uses flags its command has', () => {
    const files = [
      ...readdirSync(join(DEPLOY, 'single')).map((f) => `single/${f}`),
      'cluster/compose.yaml',
      ...readdirSync(join(DEPLOY, 'cluster/k8s')).map((f) => `cluster/k8s/${f}`),
    ];
    const lines: string[] = [];
    for (const f of files) {
      const text = read(f).replace(/['",[\]]/g, ' ');
      for (const m of text.matchAll(/\b(serve|worker)\b((?:\s+--?[\w-]+(?:\s+[^\s-][^\s]*)?)+)/g)) {
        for (const flag of m[2]!.matchAll(/--([\w-]+)/g)) {
          const name = flag[1]!;
          if (name !== 'config' && name !== 'help' && !(name in COMMANDS[m[1]!]!)) {
            lines.push(`${f}: airbox ${m[1]} has no --${name}`);
          }
        }
      }
    }
    expect(lines).toEqual([]);
  });
});
