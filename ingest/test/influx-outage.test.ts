import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openInfluxStore, parseInfluxConfig } from '@airbox/store';
import {
  publishReadings,
  requireBinary,
  ServeProcess,
  startInfluxd,
  tempDir,
  waitFor,
  waitForLogin,
  type TestServer,
} from '@airbox/testkit';
import { registerIn } from './system.ts';

/**
 * `airbox serve` on InfluxDB (Debian's influxd, v1 mode) with InfluxDB stopped for 60 s
 * under load and started again: readings acknowledged = readings in InfluxDB, exactly.
 */
const skip = await requireBinary('influxd');
const OUTAGE_MS = 60_000;
const DEVICES = 10;
const PER_DEVICE = 3500; // ~500 readings/s for ~70 s
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe.skipIf(skip !== '')(`serve on InfluxDB through a 60 s InfluxDB outage ${skip}`, () => {
  it('stores every acknowledged reading once InfluxDB is back', { timeout: 240_000 }, async () => {
    const influx: TestServer = await startInfluxd();
    cleanups.push(() => influx.stop());
    const dir = tempDir('influx-outage');
    cleanups.push(dir.remove);
    const serve = new ServeProcess(dir.path, [
      '--rate',
      '100000',
      '--store',
      'influxdb',
      '--influx-mode',
      'v1',
      '--influx-url',
      influx.url,
      '--influx-db',
      'airbox',
    ]);
    cleanups.push(() => serve.stop('SIGKILL'));
    const ports = await serve.start();

    const boxes = await registerIn(
      join(dir.path, 'devices.db'),
      Array.from({ length: DEVICES }, (_, i) => `outage-${i}`),
    );
    // One transaction: once the broker takes one of them, it has them all.
    await waitForLogin(`mqtt://127.0.0.1:${ports.mqtt}`, boxes[0]!);
    const publishing = Promise.all(
      boxes.map((b) =>
        publishReadings({
          url: `mqtt://127.0.0.1:${ports.mqtt}`,
          ...b,
          count: PER_DEVICE,
          intervalMs: 20,
          timeoutMs: 200_000,
        }),
      ),
    );

    await new Promise((r) => setTimeout(r, 5000));
    await influx.kill();
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    // Mid-outage: readings are parked on disk, not lost and not refused.
    const during = await (await fetch(serve.httpUrl('/metrics'))).text();
    expect(Number(/^airbox_store_spilled_readings (\d+)$/m.exec(during)?.[1])).toBeGreaterThan(
      1000,
    );
    await new Promise((r) => setTimeout(r, OUTAGE_MS / 2));
    await influx.restart();
    const outcomes = await publishing;
    const acked = outcomes.reduce((n, o) => n + o.acked, 0);
    expect(acked).toBe(DEVICES * PER_DEVICE);

    const reader = await openInfluxStore(
      parseInfluxConfig({
        mode: 'v1',
        url: influx.url,
        database: 'airbox',
        spillDir: join(dir.path, 'reader-spill'),
      }),
    );
    cleanups.push(() => reader.close());
    const stored = await waitFor(
      `${acked} readings in InfluxDB`,
      async () => {
        const n = await reader.countReadings();
        return n === acked ? n : undefined;
      },
      90_000,
      1000,
    );
    expect(stored).toBe(acked);
    const metrics = await (await fetch(serve.httpUrl('/metrics'))).text();
    expect(metrics).toMatch(/^airbox_store_spilled_readings 0$/m);
    expect(metrics).toMatch(/^airbox_store_dropped_readings_total 0$/m);
  });
});
