import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { sharedData, tempDir } from '@airbox/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateCommand } from '../../packages/cli/src/commands/calibrate.ts';
import { UsageError } from '../../packages/cli/src/io.ts';
import { evaluate, growthFactor, METHODS, readPairFile, type EvalReport } from '../src/index.ts';
import { conditions, genericCsv, withReference } from './synthetic.ts';

/** Runs `airbox calibrate …` over in-memory streams, as packages/cli/test/run.ts does. */
async function runCalibrate(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await calibrateCommand.run(argv, {
    stdin: Readable.from(['']),
    stdout,
    stderr,
    now: () => Date.UTC(2026, 10, 27),
  });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

const dir = tempDir('calibrate');
afterAll(() => dir.remove());

function writePairs(name: string, sites: string[], days: number): string {
  // A humid-growth sensor with a small deterministic error, so every method has work to do.
  const pairs = withReference(
    conditions(sites, days),
    (r, i) => (0.55 * r.rawPm25UgM3) / growthFactor(0.25, r.rhPct) + 1 + ((i * 17) % 7) * 0.1,
  );
  const path = join(dir.path, name);
  writeFileSync(path, genericCsv(pairs));
  return path;
}

describe('airbox calibrate eval', () => {
  it('prints one JSON object: per method test and LOSO metrics, targets, and the pick', async () => {
    const train = writePairs('train.csv', ['A', 'B', 'C'], 20);
    const test = writePairs('test.csv', ['D'], 15);
    const { code, stdout, stderr } = await runCalibrate(['eval', '--train', train, '--test', test]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n')).toHaveLength(1);
    const report = JSON.parse(stdout) as EvalReport;
    expect(report.train).toMatchObject({ file: train, format: 'generic', pairs: 60, sites: 3 });
    expect(report.test).toMatchObject({ file: test, pairs: 15, sites: 1 });
    expect(report.methods.map((m) => m.id)).toEqual(METHODS.map((m) => m.id));
    for (const m of report.methods) {
      expect(m.errors).toBeUndefined();
      expect(m.test?.metrics.n).toBe(15);
      expect(m.loso?.metrics.n).toBe(60);
      expect(m.loso?.folds.map((f) => f.site)).toEqual(['A', 'B', 'C']);
      expect(typeof m.loso?.meetsTargets).toBe('boolean');
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
    const argv = ['eval', ...flags.map((f) => (f === 'ng' ? ng : f)), '--test', ok];
    const { code, stdout, stderr } = await runCalibrate(argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });

  it.each([
    [[], /missing the subcommand/],
    [['fit', '--train', 'a', '--test', 'b'], /unknown subcommand 'fit'/],
    [['eval', '--test', 'b'], /--train FILE is required/],
    [['eval', '--train', 'a', '--test', 'b', '--format', 'csv'], /--format must be one of/],
  ])('usage errors are UsageErrors (exit 2 from main): %j', async (argv, message) => {
    const run = runCalibrate(argv);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });
});

const purpleAir = sharedData('colocation/purpleair-aqs-daily-train.csv', 'GPL-3.0');

describe('PurpleAir–AQS daily pairs (9 sensors, 2021–2023)', () => {
  it.skipIf(purpleAir.path === null)(
    `leave-one-sensor-out: the picked method beats the EPA nationwide correction and meets the EPA targets ${purpleAir.skipReason}`,
    async () => {
      const file = await readPairFile(purpleAir.path ?? '', 'purpleair-daily');
      expect(file.sites).toHaveLength(9);
      const report = evaluate(file, file);
      const losoOf = (id: string) => report.methods.find((m) => m.id === id)?.loso;
      const picked = losoOf(report.picked.id);
      const epa = losoOf('epa-barkjohn-2021@1');
      console.log(
        `LOSO pooled RMSE: picked ${report.picked.id} ${picked?.metrics.rmseUgM3.toFixed(3)} µg/m³, ` +
          `EPA nationwide ${epa?.metrics.rmseUgM3.toFixed(3)} µg/m³ (${report.picked.reason})`,
      );
      expect(report.picked.fallback).toBe(false);
      expect(picked?.meetsTargets).toBe(true);
      expect(picked?.metrics.rmseUgM3).toBeLessThan(epa?.metrics.rmseUgM3 ?? 0);
    },
  );
});
