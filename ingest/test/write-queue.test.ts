import type { StoredReading } from '@airbox/contracts';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { OverloadedError, WriteQueue } from '../src/worker/write-queue.ts';

const reading = (i: number): StoredReading => ({
  deviceId: 'wq',
  time: new Date(Date.UTC(2026, 10, 27) + i * 1000).toISOString(),
  receivedAt: new Date(Date.UTC(2026, 10, 27)).toISOString(),
  lat: null,
  lon: null,
  pm1UgM3: null,
  pm25UgM3: i,
  pm10UgM3: null,
  temperatureC: null,
  humidityPct: null,
  format: 'native-v1',
  app: null,
  firmware: null,
  flags: [],
  kind: 'box',
});

describe('write queue (group commit)', () => {
  it('batches what arrives while a slow store call is in flight into the next call', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const calls: number[] = [];
    const write = store.write.bind(store);
    store.write = async (readings) => {
      calls.push(readings.length);
      await new Promise((r) => setTimeout(r, 50)); // a store that answers slowly, as InfluxDB does
      return write(readings);
    };
    const queue = new WriteQueue(store);
    const first = queue.enqueue([reading(0)]);
    await new Promise((r) => setImmediate(r));
    const rest = Array.from({ length: 100 }, (_, i) => queue.enqueue([reading(i + 1)]));
    await Promise.all([first, ...rest]);
    expect(calls).toEqual([1, 100]);
    expect(await store.countReadings()).toBe(101);
    expect(queue.totals).toMatchObject({ written: 101, duplicates: 0 });
  });

  it('refuses beyond its bound at once, so the device keeps the reading', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const queue = new WriteQueue(store, 10);
    const accepted = queue.enqueue(Array.from({ length: 10 }, (_, i) => reading(i)));
    await expect(queue.enqueue([reading(10)])).rejects.toBeInstanceOf(OverloadedError);
    await accepted;
    await queue.enqueue([reading(10)]);
    expect(await store.countReadings()).toBe(11);
    expect(queue.totals.rejectedOverload).toBe(1);
  });
});
