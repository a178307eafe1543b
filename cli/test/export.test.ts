import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { minuteReading as reading, T0 } from './minute-readings.ts';
import { runCli } from './run.ts';

/** better-sqlite3, to put a file in the state the code before could leave it in. */
const Database = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => {
  prepare(sql: string): { run(...params: unknown[]): unknown };
  close(): void;
};

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

  it('writes a mean that overflowed in an older file as an empty cell, never Infinity', async () => {
    const dataDir = join(dir.path, 'overflow');
    const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
    await store.write([reading('box-c', 0), reading('box-c', 60)]);
    await store.close();
    // Two 1e308 summed to Infinity by the code before, their readings since pruned.
    const db = new Database(join(dataDir, 'readings.db'));
    db.prepare('UPDATE hourly SET pm25_sum = 9e999 WHERE hour_ms = ?').run(T0);
    db.close();
    const range = [
      '--from',
      new Date(T0).toISOString(),
      '--to',
      new Date(T0 + 7_200_000).toISOString(),
    ];
    const csv = await runCli(['export', ...range, '--agg', '1h', '--data-dir', dataDir]);
    expect(csv.code).toBe(0);
    expect(csv.stdout).not.toMatch(/Infinity|NaN/);
    const [header, first, second] = csv.stdout.split('\r\n');
    const pm25 = header?.split(',').indexOf('pm25UgM3') ?? -1;
    expect([first?.split(',')[pm25], second?.split(',')[pm25]]).toEqual(['', '14']);
  });
});
