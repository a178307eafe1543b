import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteRegistry } from '@airbox/registry';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import type { DayManifest } from '@airbox/web';
import { minuteReading } from './minute-readings.ts';
import { runCli } from './run.ts';

const reading = (deviceId: string, minute: number) =>
  minuteReading(deviceId, minute, { lat: 25.012345, lon: 121.512345 });

describe('airbox archive', () => {
  const dir = tempDir('archive-cli');
  afterAll(() => dir.remove());

  it("archives a day from a data dir's store, leaving private boxes out, once", async () => {
    const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
    await store.write(
      ['box-a', 'box-b', 'kitchen'].flatMap((id) =>
        Array.from({ length: 2 * 1440 }, (_, m) => reading(id, m)),
      ),
    );
    await store.close();
    const registry = await openSqliteRegistry(join(dir.path, 'devices.db'));
    await registry.devices.add({ deviceId: 'kitchen', visibility: 'private' });
    await registry.devices.add({ deviceId: 'box-b', placement: 'indoor' });
    await registry.close();

    const day = ['archive', '--day', '2026-11-20', '--data-dir', dir.path];
    const first = await runCli(day);
    expect(first.stderr).toContain('archive 2026-11-20: 2/2 boxes, 2880 rows');
    expect(JSON.parse(first.stdout)).toEqual({
      day: '2026-11-20',
      version: 1,
      changed: true,
      rows: 2 * 1440,
      devices: 2,
    });
    const manifestFile = join(dir.path, 'archive/v1/date=2026-11-20/manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as DayManifest;
    expect(manifest.files.map((f) => f.deviceId)).toEqual([null, 'box-a', 'box-b']);
    for (const f of manifest.files)
      expect(existsSync(join(dir.path, 'archive', f.path))).toBe(true);
    expect(manifest.attribution).toBe(
      'AirBox network contributors, http://localhost:8080/ (CC-BY-4.0)',
    );

    // The indoor box's position on the 0.001° grid, as on the map.
    const indoor = gunzipSync(readFileSync(join(dir.path, 'archive', manifest.files[2]!.path)));
    expect(indoor.toString().split('\r\n')[1]).toContain(
      'box-b,2026-11-20T00:00:00.000Z,25.012,121.512,',
    );

    const again = await runCli(day);
    expect(JSON.parse(again.stdout)).toMatchObject({ version: 1, changed: false });

    const bad = await runCli(['archive', '--day', '20-11-2026', '--data-dir', dir.path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--day must be a UTC date YYYY-MM-DD, got '20-11-2026'");
  });
});
