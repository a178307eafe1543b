import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, tempDir, waitFor } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryView, openSqliteRegistry, type Credentials } from '../src/index.ts';

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/other-process.ts', import.meta.url));

describe('one SQLite registry, two processes', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });

  it("a view in this process sees another process's add and revoke within its poll", async () => {
    const dir = tempDir('airbox-registry-procs-');
    dirs.push(dir);
    const path = join(dir.path, 'devices.db');
    // Both migrate the new file at once: the child starts while this process opens it.
    const child = run(TSX, [CHILD, path, 'add', 'from-elsewhere'], { timeoutMs: 30_000 });
    const registry = await openSqliteRegistry(path);
    const view = await RegistryView.open(registry.devices, { pollIntervalMs: 50 });
    try {
      const added = await child;
      expect(added.stderr).toBe('');
      const creds = JSON.parse(added.stdout) as Credentials;
      await waitFor('the view to see the box', () => view.has('from-elsewhere'), 5_000, 10);
      expect(view.verify('from-elsewhere', creds.password)?.role).toBe('device');

      const revoked = await run(TSX, [CHILD, path, 'revoke', 'from-elsewhere'], {
        timeoutMs: 30_000,
      });
      expect(revoked.code).toBe(0);
      await waitFor(
        'the view to see the revoke',
        () => view.stamp('from-elsewhere') === null,
        5_000,
        10,
      );
      expect(view.verify('from-elsewhere', creds.password)).toBeNull();
    } finally {
      view.close();
      await registry.close();
    }
  });
});
