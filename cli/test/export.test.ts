import type { StoredReading } from '@airbox/contracts';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { runCli } from './run.ts';

const T0 = Date.UTC(2026, 10, 20);

function reading(deviceId: string, minute: number): StoredReading {
  const time = new Date(T0 + minute * 60_000).toISOString();
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: 25,
    lon: 121.5,
    pm1UgM3: null,
    pm25UgM3: 10 + (minute % 7),
    pm10UgM3: null,
    temperatureC: null,
    humidityPct: null,
    format: 'native-v1',
    app: null,
    firmware: null,
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: 8 + (minute % 7),
    calibrationModel: 'linear@1/device/x/1',
  };
}

describe('airbox export', () => {
  const dir = tempDir('export');
  afterAll(() => dir.remove());

  it('writes every stored row of the range, a device-day at a time, raw and calibrated', async () => {
    const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
    // Two devices, three days of one-minute readings: 8,640 rows across day boundaries.
    const rows = ['box-a', 'box-b'].flatMap((id) =>
      Array.from({ length: 3 * 1440 }, (_, m) => reading(id, m)),
    );
    await store.write(rows);
    await store.close();
    const from = new Date(T0 + 30 * 60_000).toISOString(); // not on a day boundary
    const to = new Date(T0 + 3 * 86_400_000).toISOString();
    const csv = await runCli(['export', '--from', from, '--to', to, '--data-dir', dir.path]);
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^deviceId,time,/);
    expect(lines.length - 1).toBe(2 * (3 * 1440 - 30));
    expect(lines[1]).toContain('box-a,2026-11-20T00:30:00.000Z');
    expect(lines[1]).toContain('linear@1/device/x/1');
    const jsonl = await runCli([
      'export',
      '--from',
      from,
      '--to',
      to,
      '--device',
      'box-b',
      '--agg',
      '1h',
      '--format',
      'jsonl',
      '--data-dir',
      dir.path,
    ]);
    const hours = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { count: number });
    expect(hours.length).toBe(71); // the hour starting at 00:00 begins before --from
    expect(hours.every((h) => h.count === 60)).toBe(true);
    const bad = await runCli(['export', '--from', to, '--to', from, '--data-dir', dir.path]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--from must be before --to/);
  });
});
