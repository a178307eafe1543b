import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StreamWorker } from '@airbox/ingest';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { MetricsRegistry } from '@airbox/web';
import { startReferenceFeedFromOptions } from '../src/commands/reference.ts';
import { jsonLines, runCli } from './run.ts';

const AQX = fileURLToPath(
  new URL('../../ingest/test/fixtures/reference/aqx-hourly-2017-sample.json', import.meta.url),
);
const SITES = fileURLToPath(
  new URL('../../ingest/test/fixtures/reference/aqx-site-2017-sample.json', import.meta.url),
);
const dir = tempDir('cli-reference');
afterAll(() => dir.remove());

describe('airbox reference import', () => {
  it('imports the AQX file into the data dir and prints a JSON summary', async () => {
    const dataDir = join(dir.path, 'aqx');
    const first = await runCli(['reference', 'import', AQX, '--data-dir', dataDir]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      file: AQX,
      format: 'moenv',
      readings: 76,
      stored: 76,
      duplicates: 0,
      rejected: 0,
      problems: [],
    });
    const again = await runCli([
      'reference',
      'import',
      AQX,
      '--data-dir',
      dataDir,
      '--format',
      'moenv',
    ]);
    expect(JSON.parse(again.stdout)).toMatchObject({ stored: 0, duplicates: 76 });

    const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
    try {
      const latest = await store.latest({ kind: 'reference', deviceIds: ['EPA-Magong'] });
      expect(latest).toEqual([
        expect.objectContaining({ time: '2017-07-15T23:00:00.000Z', pm25UgM3: 15, pm10UgM3: 16 }),
      ]);
    } finally {
      await store.close();
    }
  });

  it('stores the good CSV rows, names each bad one on stderr, and exits 1', async () => {
    const csv = join(dir.path, 'school.csv');
    writeFileSync(
      csv,
      'station,time,pm25_ugm3\n恆春,2024-05-01T14:00+08:00,4\nNowhere,2024-05-01T14:00+08:00,4\n',
    );
    const { code, stdout, stderr } = await runCli([
      'reference',
      'import',
      csv,
      '--data-dir',
      join(dir.path, 'csv'),
    ]);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'csv', stored: 1, rejected: 1 });
    expect(stderr).toBe(
      `${csv} line 3, column station: "Nowhere" is not a station of the registry (give a site id, English or Chinese name) [unknown-station]\n`,
    );
  });

  it('refuses a whole file with the reason, and bad usage with exit 2', async () => {
    const csv = join(dir.path, 'mg.csv');
    writeFileSync(csv, 'station,time,pm25_ugm3\nKeelung,2024-05-01T14:00Z,12000\n');
    const refused = await runCli(['reference', 'import', csv, '--data-dir', join(dir.path, 'mg')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `airbox reference: ${csv}: column pm25_ugm3: the median is 12000 µg/m³`,
    );

    const usage = await runCli(['reference', 'import', AQX, '--format', 'xml']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--format must be one of auto, lass-epa, moenv, csv, got 'xml'");
    expect((await runCli(['reference'])).stderr).toContain(
      "missing the subcommand: 'import' or 'stations'",
    );
  });
});

describe('airbox reference stations', () => {
  it('prints the 77 bundled stations as JSON lines with their device ids', async () => {
    const { code, stdout } = await runCli(['reference', 'stations']);
    expect(code).toBe(0);
    const lines = jsonLines(stdout);
    expect(lines).toHaveLength(77);
    expect(lines).toContainEqual({
      deviceId: 'EPA-Hengchun',
      siteId: '61',
      nameZh: '恆春',
      nameEn: 'Hengchun',
      county: '屏東縣',
      siteType: '一般測站',
      lat: 21.958069,
      lon: 120.788928,
    });
  });

  it('checks a site list against the registry and reports the differences', async () => {
    const { code, stdout, stderr } = await runCli(['reference', 'stations', '--site-list', SITES]);
    expect(code).toBe(0);
    expect(jsonLines(stdout)).toHaveLength(77);
    expect(JSON.parse(stderr)).toMatchObject({
      added: [],
      // stations relocated between the 2017 list and the 2020 registry
      moved: [
        { station: 'Matsu', distanceM: 806 },
        { station: 'Taoyuan', distanceM: 1570 },
      ],
      notListed: ['富貴角 FugueiCape'],
    });
  });
});

describe('airbox serve --reference-url', () => {
  it('starts nothing without a URL or key', () => {
    const store = openSqliteStore({ path: ':memory:' });
    const worker = new StreamWorker({ store });
    expect(
      startReferenceFeedFromOptions({}, { worker, log: () => {}, now: Date.now, env: {} }),
    ).toBeNull();
    expect(() =>
      startReferenceFeedFromOptions(
        { 'reference-url': 'ftp://x' },
        { worker, log: () => {}, now: Date.now, env: {} },
      ),
    ).toThrow("--reference-url must be an http(s) URL, got 'ftp://x'");
  });

  it('polls the URL with the key from the environment and counts on /metrics', async () => {
    const body = readFileSync(AQX);
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aqx`;
    const store = openSqliteStore({ path: ':memory:' });
    const worker = new StreamWorker({ store });
    const metrics = new MetricsRegistry();
    const logs: string[] = [];
    const feed = startReferenceFeedFromOptions(
      { 'reference-url': url },
      {
        worker,
        metrics,
        log: (event, fields) => logs.push(JSON.stringify({ event, ...fields })),
        now: Date.now,
        env: { AIRBOX_MOENV_API_KEY: 'key-from-env' },
      },
    )!;
    try {
      const start = Date.now();
      while (
        feed.counters.pollsTotal - feed.counters.pollFailuresTotal < 1 ||
        feed.counters.lastSuccessMs === 0
      ) {
        if (Date.now() - start > 5000) throw new Error('no successful poll');
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(seen).toEqual(['/aqx?api_key=key-from-env']);
      expect(await store.countReadings()).toBe(76);
      expect(metrics.render()).toContain('airbox_reference_readings_stored_total 76');
      expect(logs.join('\n')).toContain(`"url":"${url}?api_key=***"`);
      expect(logs.join('\n')).not.toContain('key-from-env');
    } finally {
      await feed.stop();
      await worker.drain();
      await store.close();
      server.close();
    }
  });
});
