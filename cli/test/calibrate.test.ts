import type { StoredReading } from '@airbox/contracts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METHODS, openModelRegistry, type EvalReport } from '@airbox/calibrate';
import { openSqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { runCli } from './run.ts';

const dir = tempDir('calibrate-cli');
afterAll(() => dir.remove());

/** Generic-CSV co-location pairs: a sensor that reads high and grows with humidity. */
function writePairs(name: string, sites: string[], days: number): string {
  const rows = ['site,time,raw_pm25,rh,temperature_c,ref_pm25'];
  for (const site of sites) {
    for (let d = 0; d < days; d++) {
      const i = rows.length;
      const ref = 4 + ((i * 7) % 30);
      const rh = 40 + ((i * 13) % 55);
      const raw = ref * (1.6 + rh / 200) + ((i * 17) % 7) * 0.1;
      const day = new Date(Date.UTC(2026, 2, 1 + d)).toISOString().slice(0, 10);
      rows.push(`${site},${day},${raw.toFixed(2)},${rh},${20 + (i % 10)},${ref}`);
    }
  }
  const path = join(dir.path, name);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

describe('airbox calibrate eval', () => {
  it('prints one JSON object: per method test and LOSO metrics, targets, and the pick', async () => {
    const train = writePairs('train.csv', ['A', 'B', 'C'], 20);
    const test = writePairs('test.csv', ['D'], 15);
    const { code, stdout, stderr } = await runCli([
      'calibrate',
      'eval',
      '--train',
      train,
      '--test',
      test,
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout) as EvalReport;
    expect(report.train).toMatchObject({ file: train, format: 'generic', pairs: 60, sites: 3 });
    expect(report.test).toMatchObject({ file: test, pairs: 15, sites: 1 });
    expect(report.methods.map((m) => m.id)).toEqual(METHODS.map((m) => m.id));
    for (const m of report.methods) {
      expect(m.test?.metrics.n).toBe(15);
      expect(m.loso?.folds.map((f) => f.site)).toEqual(['A', 'B', 'C']);
    }
    expect(METHODS.map((m) => m.id)).toContain(report.picked.id);
    expect(report.picked.reason).toMatch(/leave-one-site-out/);
  });

  it.each([
    ['no file', ['--train', '/nonexistent/t.csv'], /\/nonexistent\/t\.csv: no such file/],
    [
      'units off by 1000',
      ['--train', 'ng'],
      /ng\.csv: the median raw_pm25 .*\(units-off-by-1000\)/,
    ],
  ])('exits 1 with the file and the problem on stderr: %s', async (_name, flags, message) => {
    const ng = join(dir.path, 'ng.csv');
    writeFileSync(
      ng,
      'site,time,raw_pm25,rh,temperature_c,ref_pm25\nA,2026-03-01,9000,50,20,7000\n',
    );
    const ok = writePairs('ok.csv', ['A', 'B'], 8);
    const argv = ['calibrate', 'eval', ...flags.map((f) => (f === 'ng' ? ng : f)), '--test', ok];
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it.each([
    [[], /missing the subcommand/],
    [['tune', '--train', 'a', '--test', 'b'], /unknown subcommand 'tune'/],
    [['report', '--train', 'a', '--test', 'b'], /--out FILE\.html is required/],
    [['recalibrate', '--to', '2026-03-02'], /--from ISO is required/],
    [['recalibrate', '--from', 'yesterday', '--to', '2026-03-02'], /--from must be an ISO 8601/],
    [['recalibrate', '--from', '2026-03-02', '--to', '2026-03-01'], /is not before --to/],
    [
      ['recalibrate', '--from', '2026-03-01', '--to', '2026-03-02', '--device', 'a/b'],
      /--device 'a\/b' is not a device id/,
    ],
    [['eval', '--test', 'b'], /--train FILE is required/],
    [['eval', '--train', 'a', '--test', 'b', '--format', 'csv'], /--format must be one of/],
  ])('usage errors exit 2 with the usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(['calibrate', ...argv]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: airbox calibrate');
  });
});

describe('airbox calibrate report', () => {
  it('writes one offline HTML file, prints its path, and tells progress on stderr', async () => {
    const train = writePairs('report-train.csv', ['A', 'B', 'C'], 12);
    const test = writePairs('report-test.csv', ['<b>D</b>'], 10);
    const out = join(dir.path, 'report.html');
    const argv = ['calibrate', 'report', '--train', train, '--test', test, '--out', out];
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(0);
    expect(stdout).toBe(`${out}\n`);
    expect(stderr).toMatch(/fitting 6 methods on 36 pairs from 3 sites/);
    expect(stderr).toMatch(/picked [\w@.-]+; \d+ bytes written/);
    const html = readFileSync(out, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Before and after per method, every one of the 10 test pairs in each.
    expect(html.match(/<svg/g)).toHaveLength(2 * METHODS.length);
    expect(html.match(/<circle/g)).toHaveLength(2 * METHODS.length * 10);
    expect(html).toContain('&lt;b&gt;D&lt;/b&gt;');
    expect(html).toContain('Generated 2026-11-27T00:00:00.000Z');
  });

  it('exits 1 naming the path when the report cannot be written', async () => {
    const pairs = writePairs('report-ok.csv', ['A', 'B'], 8);
    const out = join(dir.path, 'no-such-dir', 'r.html');
    const argv = ['calibrate', 'report', '--train', pairs, '--test', pairs, '--out', out];
    const { code, stdout, stderr } = await runCli(argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`cannot write the report to ${out}`);
  });
});

const T0_MS = Date.UTC(2026, 2, 1, 10);
const MINUTE_MS = 60_000;

function reading(deviceId: string, minute: number, o: Partial<StoredReading> = {}) {
  const time = new Date(T0_MS + minute * MINUTE_MS).toISOString();
  return {
    deviceId,
    time,
    receivedAt: time,
    lat: 25.0478,
    lon: 121.5319,
    pm1UgM3: 8,
    pm25UgM3: 20 + minute,
    pm10UgM3: 30,
    temperatureC: 25,
    humidityPct: 60,
    format: 'lass-v3',
    app: 'AirBox',
    firmware: 'ver_4.1.1',
    flags: [],
    kind: 'box',
    pm25CalibratedUgM3: 20 + minute,
    calibrationModel: 'identity',
    ...o,
  } satisfies StoredReading;
}

/** A data dir with a SQLite store: two AirBoxes, one reference station, one LASS archive box. */
async function seededDataDir(name: string) {
  const dataDir = join(dir.path, name);
  const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
  await store.write([
    ...[0, 10, 20, 70].map((m) => reading('74DA38F207DE', m)),
    ...[0, 10].map((m) => reading('74DA38AABBCC', m)),
    reading('EPA-Wanhua', 0, { kind: 'reference', format: 'lass-opendata' }),
    reading('LASS-archive', 0, { pm25CalibratedUgM3: 18, calibrationModel: 'lass:0' }),
  ]);
  await store.close();
  return dataDir;
}

async function storedSeries(dataDir: string, deviceIds: string[]) {
  const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
  const range = { deviceIds, fromMs: 0, toMs: T0_MS + 24 * 3_600_000 };
  const result = { series: await store.series(range), hourly: await store.hourly(range) };
  await store.close();
  return result;
}

/** Barkjohn et al. 2021: 0.524 · raw − 0.0862 · RH + 5.75 */
const epa = (raw: number, rh: number) => 0.524 * raw - 0.0862 * rh + 5.75;
const HOUR = ['--from', '2026-03-01T10:00:00Z', '--to', '2026-03-01T11:00:00Z'];

describe('airbox calibrate recalibrate', () => {
  it('rewrites one device-hour with a published model and prints a JSON summary', async () => {
    const dataDir = await seededDataDir('published');
    const argv = ['calibrate', 'recalibrate', ...HOUR, '--device', '74DA38F207DE'];
    const { code, stdout, stderr } = await runCli([
      ...argv,
      '--model',
      'epa-barkjohn-2021@1',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/recalibrate: epa-barkjohn-2021@1 over 2026-03-01T10:00:00\.000Z/);
    expect(stderr).toMatch(/3 updated, 0 unchanged/);
    expect(JSON.parse(stdout)).toEqual({
      from: '2026-03-01T10:00:00.000Z',
      to: '2026-03-01T11:00:00.000Z',
      devices: ['74DA38F207DE'],
      model: 'epa-barkjohn-2021@1',
      updated: 3,
      unchanged: 0,
      references: 0,
      notCleared: 0,
      keptUpstream: 0,
      elapsedMs: 0,
    });
    const { series, hourly } = await storedSeries(dataDir, ['74DA38AABBCC', '74DA38F207DE']);
    const calibrated = series.map((r) => [r.deviceId, r.pm25CalibratedUgM3, r.calibrationModel]);
    expect(calibrated).toEqual([
      ['74DA38AABBCC', 20, 'identity'],
      ['74DA38AABBCC', 30, 'identity'],
      ['74DA38F207DE', expect.closeTo(epa(20, 60), 9), 'epa-barkjohn-2021@1'],
      ['74DA38F207DE', expect.closeTo(epa(30, 60), 9), 'epa-barkjohn-2021@1'],
      ['74DA38F207DE', expect.closeTo(epa(40, 60), 9), 'epa-barkjohn-2021@1'],
      // 11:10 is outside [10:00, 11:00).
      ['74DA38F207DE', 90, 'identity'],
    ]);
    expect(series.map((r) => r.pm25UgM3)).toEqual([20, 30, 20, 30, 40, 90]);
    const hour = hourly.find((h) => h.deviceId === '74DA38F207DE');
    expect(hour?.pm25CalibratedUgM3).toBeCloseTo(epa(30, 60), 9);
  });

  it('without --device covers every box, leaving references and upstream calibrations', async () => {
    const dataDir = await seededDataDir('all');
    const { code, stdout } = await runCli([
      'calibrate',
      'recalibrate',
      ...HOUR,
      '--model',
      'epa-barkjohn-2021@1',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      devices: null,
      updated: 5,
      unchanged: 1,
      references: 1,
      keptUpstream: 1,
    });
    const { series } = await storedSeries(dataDir, ['EPA-Wanhua', 'LASS-archive']);
    expect(series.map((r) => [r.pm25CalibratedUgM3, r.calibrationModel])).toEqual([
      [20, 'identity'],
      [18, 'lass:0'],
    ]);
  });

  it('applies a registry model by its id, or the active models when no --model is given', async () => {
    const dataDir = await seededDataDir('registry');
    const registry = openModelRegistry({ dataDir });
    const stored = registry.add({
      method: 'linear@1',
      scope: 'device',
      scopeKey: '74DA38F207DE',
      params: { slope: 0.5, interceptUgM3: 2 },
      trainedFromMs: Date.UTC(2026, 10, 20),
      trainedToMs: Date.UTC(2026, 10, 26),
      sites: ['74DA38F207DE'],
      metrics: null,
    });
    registry.close();
    const device = ['--device', '74DA38F207DE', '--data-dir', dataDir];
    const byId = await runCli([
      'calibrate',
      'recalibrate',
      ...HOUR,
      ...device,
      '--model',
      stored.id,
    ]);
    expect(byId.code).toBe(0);
    expect(JSON.parse(byId.stdout)).toMatchObject({ model: stored.id, updated: 3 });
    let { series } = await storedSeries(dataDir, ['74DA38F207DE']);
    expect(series.slice(0, 3).map((r) => [r.pm25CalibratedUgM3, r.calibrationModel])).toEqual([
      [12, stored.id],
      [17, stored.id],
      [22, stored.id],
    ]);

    // Not active yet: the worker's chain falls through to the EPA correction.
    const active = await runCli(['calibrate', 'recalibrate', ...HOUR, ...device]);
    expect(active.code).toBe(0);
    expect(JSON.parse(active.stdout)).toMatchObject({ updated: 3 });
    ({ series } = await storedSeries(dataDir, ['74DA38F207DE']));
    expect(series[0]?.calibrationModel).toBe('epa-barkjohn-2021@1');

    const activating = openModelRegistry({ dataDir });
    activating.activate(stored.id);
    activating.close();
    const activated = await runCli(['calibrate', 'recalibrate', ...HOUR, ...device]);
    expect(JSON.parse(activated.stdout)).toMatchObject({ updated: 3 });
    ({ series } = await storedSeries(dataDir, ['74DA38F207DE']));
    expect(series[0]).toMatchObject({ pm25CalibratedUgM3: 12, calibrationModel: stored.id });
  });

  it.each([
    [['--model', 'linear@1'], 2, /linear@1 is a method fitted per data set/],
    [['--model', 'linear@1/global/9'], 1, /no model registry at .*calibration\.sqlite/],
  ])('refuses %j, saying why (exit %i)', async (flags, exit, message) => {
    const dataDir = await seededDataDir(`refuse-${exit}`);
    const { code, stdout, stderr } = await runCli([
      'calibrate',
      'recalibrate',
      ...HOUR,
      ...flags,
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(exit);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it('exits 1 without creating a store where there is none', async () => {
    const dataDir = join(dir.path, 'empty');
    const argv = ['calibrate', 'recalibrate', ...HOUR, '--data-dir', dataDir];
    const { code, stderr } = await runCli([...argv, '--model', 'epa-barkjohn-2021@1']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no store at .*empty\/readings\.db/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
