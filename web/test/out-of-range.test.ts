import type { StoredReading } from '@airbox/contracts';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import type { FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApi, MetricsRegistry, surfaceService } from '../src/index.ts';
import { DAY_MS, iso, MINUTE_MS, reading, T0 } from './helpers.ts';

/**
 * Out-of-range values through the real API on 127.0.0.1 over a real SQLite file: kept raw
 * and flagged in the readings, out of the hourly and daily means, out of the surface, and
 * never `Infinity` in a CSV cell — not even from a sum that overflowed in a file written
 * before (see packages/store, rollup-repair.ts: such an hour is kept when it lost readings).
 */

/** better-sqlite3 as the store resolves it (web does not depend on it itself). */
interface Db {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  close(): void;
}
const Database = createRequire(createRequire(import.meta.url).resolve('@airbox/store'))(
  'better-sqlite3',
) as new (path: string) => Db;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(store: SqliteStore): Promise<(path: string) => Promise<Response>> {
  const app: FastifyInstance = createApi({
    store,
    metrics: new MetricsRegistry(),
    rateLimit: false,
    now: () => T0 + DAY_MS,
    surface: surfaceService(store, { now: () => T0 + DAY_MS }),
  });
  cleanups.push(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return (path) => fetch(`${url}${path}`);
}

function fileStore(): { store: SqliteStore; path: string } {
  const dir = tempDir('web-out-of-range');
  const path = join(dir.path, 'readings.db');
  const store = openSqliteStore({ path });
  cleanups.push(dir.remove);
  cleanups.push(() => store.close());
  return { store, path };
}

const day = `from=${iso(T0)}&to=${iso(T0 + DAY_MS)}`;
const at = (minute: number, o: Partial<StoredReading> = {}) =>
  reading('box-1', T0 + minute * MINUTE_MS, o);

describe('out-of-range values in the API', () => {
  it('keeps them raw and flagged in readings, and out of the hourly and daily means', async () => {
    const { store } = fileStore();
    await store.write([
      at(0, { pm25UgM3: 10, pm25CalibratedUgM3: 10 }),
      at(10, { pm25UgM3: 1e308, pm25CalibratedUgM3: null, flags: ['pm25-out-of-range'] }),
      at(20, { pm25UgM3: -50, pm25CalibratedUgM3: null, flags: ['pm25-out-of-range'] }),
      at(30, { pm25UgM3: 20, pm25CalibratedUgM3: 20 }),
    ]);
    const get = await serve(store);
    const raw = (await (await get(`/api/v1/series?device=box-1&${day}`)).json()) as {
      readings: StoredReading[];
    };
    expect(raw.readings.map((r) => r.pm25UgM3)).toEqual([10, 1e308, -50, 20]);
    for (const agg of ['1h', '1d']) {
      const json = (await (await get(`/api/v1/series?device=box-1&agg=${agg}&${day}`)).json()) as {
        rows: { count: number; pm25UgM3: number; pm25CalibratedUgM3: number }[];
      };
      expect(json.rows).toMatchObject([{ count: 4, pm25UgM3: 15, pm25CalibratedUgM3: 15 }]);
      const csv = await (
        await get(`/api/v1/series?device=box-1&agg=${agg}&format=csv&${day}`)
      ).text();
      expect(csv.split('\r\n')[1]).toMatch(/,4,15,15,/);
    }
  });

  it('leaves a reading whose PM2.5 is out of range out of the surface', async () => {
    const { store } = fileStore();
    const grid = [0, 1, 2].flatMap((i) =>
      [0, 1, 2].map((j) =>
        reading(`grid-${i}${j}`, T0 + DAY_MS - 5 * MINUTE_MS, {
          lat: 25 + i * 0.02,
          lon: 121.5 + j * 0.02,
          pm25UgM3: 20,
          pm25CalibratedUgM3: 20,
        }),
      ),
    );
    const faulty = reading('grid-bad', T0 + DAY_MS - 5 * MINUTE_MS, {
      lat: 25.02,
      lon: 121.52,
      pm25UgM3: 1e308,
      pm25CalibratedUgM3: null,
      flags: ['pm25-out-of-range'],
    });
    await store.write([...grid, faulty]);
    const get = await serve(store);
    const surface = (await (await get('/api/v1/surface')).json()) as { values: (number | null)[] };
    const highest = surface.values.reduce<number>((max, v) => Math.max(max, v ?? 0), 0);
    expect(highest).toBeCloseTo(20, 6);
  });

  it('never writes a non-finite mean as Infinity: an empty cell, as JSON writes null', async () => {
    const { store, path } = fileStore();
    await store.write([at(0, { pm25UgM3: 10 }), at(60, { pm25UgM3: 12 })]);
    // An hour as a file of the code before can hold it: two 1e308 summed to Infinity, the
    // readings themselves since pruned by retention.
    const db = new Database(path);
    db.prepare('UPDATE hourly SET pm25_sum = 9e999 WHERE hour_ms = ?').run(T0);
    db.close();
    const get = await serve(store);
    for (const agg of ['1h', '1d']) {
      const csv = await (
        await get(`/api/v1/series?device=box-1&agg=${agg}&format=csv&${day}`)
      ).text();
      expect(csv).not.toMatch(/Infinity|NaN/);
      const rows = csv.split('\r\n').slice(1, -1);
      const pm25 = csv.split('\r\n')[0]!.split(',').indexOf('pm25UgM3');
      expect(rows.map((r) => r.split(',')[pm25])).toEqual(agg === '1h' ? ['', '12'] : ['']);
      const json = (await (await get(`/api/v1/series?device=box-1&agg=${agg}&${day}`)).json()) as {
        rows: { pm25UgM3: number | null }[];
      };
      expect(json.rows.map((r) => r.pm25UgM3)).toEqual(agg === '1h' ? [null, 12] : [null]);
    }
  });
});
