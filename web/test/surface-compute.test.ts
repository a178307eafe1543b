import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import {
  createApi,
  MetricsRegistry,
  surfaceService,
  type SurfaceCompute,
  type SurfaceJson,
} from '../src/index.ts';
import { MINUTE_MS, reading, T0 } from './helpers.ts';

describe('surface computed elsewhere', () => {
  const NOW = T0;
  const boxes = [0, 1, 2, 3, 4, 5].map((i) =>
    reading(`out-${i}`, NOW - 10 * MINUTE_MS, { lat: 25 + i * 0.02, lon: 121.5 + (i % 3) * 0.03 }),
  );

  async function surfaceApi(compute: SurfaceCompute) {
    const store = openSqliteStore({ path: ':memory:' });
    await store.write(boxes);
    const now = () => NOW;
    return createApi({
      store,
      metrics: new MetricsRegistry(),
      rateLimit: false,
      now,
      surface: surfaceService(store, { now, compute }),
    });
  }

  it('hands the points and query to the injected compute; viewers asking at once share one', async () => {
    const calls: number[] = [];
    const surface = { values: [1] } as unknown as SurfaceJson;
    const app = await surfaceApi(async (points) => {
      calls.push(points.length);
      await new Promise((r) => setTimeout(r, 20));
      return { surface };
    });
    const url = '/api/v1/surface?method=kriging&size=16';
    const [a, b] = await Promise.all([app.inject(url), app.inject(url)]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json()).toEqual({ values: [1] });
    expect(calls).toEqual([6]);
    await app.close();
  });

  it('answers a bad query 400, and does not keep a failure', async () => {
    let fail = true;
    const app = await surfaceApi(async () => {
      if (fail) throw new Error('worker gone');
      return { badQuery: 'size 16 is too coarse for this bbox' };
    });
    const url = '/api/v1/surface?size=16';
    expect((await app.inject(url)).statusCode).toBe(500);
    fail = false;
    const bad = await app.inject(url);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: { code: 'bad-query', message: 'size 16 is too coarse for this bbox' },
    });
    await app.close();
  });
});
