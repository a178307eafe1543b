import { join } from 'node:path';
import { tempDir } from '@airbox/testkit';
import { openSqliteRegistry } from '../src/index.ts';
import { registryConformance } from './conformance.ts';

registryConformance('SQLite', async () => {
  const dir = tempDir('airbox-registry-');
  const path = join(dir.path, 'devices.db');
  const registry = await openSqliteRegistry(path);
  const others: { close(): Promise<void> }[] = [];
  return {
    registry,
    openAnother: async (options) => {
      const other = await openSqliteRegistry(path, options);
      others.push(other);
      return other;
    },
    cleanup: async () => {
      await registry.close();
      for (const o of others) await o.close();
      dir.remove();
    },
  };
});
