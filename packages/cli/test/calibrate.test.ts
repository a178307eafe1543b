import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { METHODS, type EvalReport } from '@airbox/calibrate';
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
    [['fit', '--train', 'a', '--test', 'b'], /unknown subcommand 'fit'/],
    [['eval', '--test', 'b'], /--train FILE is required/],
    [['eval', '--train', 'a', '--test', 'b', '--format', 'csv'], /--format must be one of/],
  ])('usage errors exit 2 with the usage: %j', async (argv, message) => {
    const { code, stderr } = await runCli(['calibrate', ...argv]);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('usage: airbox calibrate');
  });
});
