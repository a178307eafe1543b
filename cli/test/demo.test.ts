import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServeProcess, tempDir, waitFor } from '@airbox/testkit';

interface Device {
  deviceId: string;
  kind: 'box' | 'reference';
}

/** `airbox serve --demo`, the README's first command, as a user starts it (a small fleet). */
describe('airbox serve --demo', () => {
  const dir = tempDir('serve-demo');
  const serve = new ServeProcess(join(dir.path, 'data'), [
    '--demo',
    '--demo-devices',
    '20',
    '--demo-history-hours',
    '2',
  ]);
  afterAll(async () => {
    await serve.stop();
    dir.remove();
  });

  it('fills the map with simulated boxes and stations, history first, then live', async () => {
    await serve.start();
    const devices = await waitFor(
      'the demo history',
      async () => {
        const res = await fetch(serve.httpUrl('/api/v1/devices'));
        const body = (await res.json()) as { devices: Device[] };
        const boxes = body.devices.filter((d) => d.kind === 'box');
        const stations = body.devices.filter((d) => d.kind === 'reference');
        return boxes.length === 20 && stations.length >= 10 ? body.devices : undefined;
      },
      60_000,
    );
    // Two boxes beside each of the first ten stations: 20 boxes, 10 stations publishing.
    expect(devices.filter((d) => d.deviceId.endsWith('-a')).length).toBe(10);
    // Every box is on the map after the history's first tick; its two hours of one-minute
    // reports come in over the next ticks (the fleet makes 20 ms of readings a tick).
    const readings = await waitFor(
      'two hours of sim-1-a',
      async () => {
        const series = await fetch(
          serve.httpUrl(
            `/api/v1/series?device=sim-1-a&from=${new Date(Date.now() - 3 * 3600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
          ),
        );
        const body = (await series.json()) as { readings: { time: string }[] };
        return body.readings.length >= 110 ? body.readings : undefined;
      },
      60_000,
    );
    expect(readings.length).toBeGreaterThanOrEqual(110);
    // The truth of the history is on disk once the history is in (written in blocks).
    const truth = await waitFor(
      'the truth export',
      () => {
        const lines = readFileSync(join(dir.path, 'data', 'demo-truth.csv'), 'utf8').split('\n');
        return lines.length > 20 * 110 ? lines : undefined;
      },
      30_000,
    );
    expect(truth[0]).toBe('deviceId,time,indoor,pm25UgM3,pm10UgM3,temperatureC,humidityPct');
    const page = await fetch(serve.httpUrl('/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div');
  }, 90_000);
});
