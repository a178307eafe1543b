import type { StoredReading } from '@airbox/contracts';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';
import type { DayManifest } from '@airbox/web';

const DAY_MS = 86_400_000;

function reading(deviceId: string, timeMs: number): StoredReading {
  const time = new Date(timeMs).toISOString();
  return {
    ...{ deviceId, time, receivedAt: time, lat: 25.03, lon: 121.56 },
    ...{ pm1UgM3: null, pm25UgM3: 12, pm10UgM3: null, temperatureC: null, humidityPct: null },
    ...{ format: 'native-v1', app: null, firmware: null, flags: [], kind: 'box' },
  };
}

/** serve archives the day that ended by itself, in a task thread, and serves it at /archive/. */
describe('airbox serve: the daily archive', () => {
  const dir = tempDir('serve-archive');
  const dataDir = join(dir.path, 'data');
  const serve = new ServeProcess(dataDir, ['--no-refit']);
  afterAll(async () => {
    await serve.stop();
    dir.remove();
  });

  it('fills in yesterday soon after start, and serves its files with range requests', async () => {
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const yesterday = new Date(today - DAY_MS).toISOString().slice(0, 10);
    const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
    await store.write(
      Array.from({ length: 24 * 6 }, (_, i) => reading('roof-1', today - DAY_MS + i * 600_000)),
    );
    await store.close();
    await serve.start();

    const listed = await waitFor(
      'yesterday in the archive',
      async () => {
        const res = await fetch(serve.httpUrl('/api/v1/archive/days'));
        const body = (await res.json()) as {
          days: { day: string; rows: number; manifest: string }[];
        };
        return body.days.find((d) => d.day === yesterday);
      },
      60_000,
    );
    expect(listed.rows).toBe(144);
    expect(serve.stderr()).toContain('"event":"archive"');

    const manifest = (await (await fetch(serve.httpUrl(listed.manifest))).json()) as DayManifest;
    const parquet = manifest.files.find((f) => f.kind === 'parquet')!;
    const res = await fetch(serve.httpUrl(`/archive/${parquet.path}`), {
      headers: { range: 'bytes=0-3' },
    });
    expect(res.status).toBe(206);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('PAR1');
    expect(res.headers.get('link')).toBe(
      '<https://creativecommons.org/licenses/by/4.0/>; rel="license"',
    );
  }, 90_000);
});
