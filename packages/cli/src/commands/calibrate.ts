// calibrate/ is not yet a dependency of @airbox/cli (its package.json lists the packages the
// CLI may import); until it is, the command reaches the workspace package by path.
import {
  CalibrationError,
  evaluate,
  PAIR_FORMAT_IDS,
  readPairFile,
  reportJson,
  type PairFile,
  type PairFormat,
} from '@airbox/calibrate';
import { parseCommandArgs } from '../args.ts';
import { UsageError, writeLine, type CliIo, type Command } from '../io.ts';

const usage = `usage: airbox calibrate eval --train FILE --test FILE [--format ${PAIR_FORMAT_IDS.join('|')}]

Fits every calibration method (the EPA corrections included) on the train file, scores each
on the test file and by leave-one-sensor-out cross-validation on the train file, and prints
one JSON object: per method its parameters, test and LOSO metrics and whether they meet the
EPA PM2.5 sensor targets, and "picked": the method the system would use, with the reason.
Errors go to stderr (exit 1), naming the file and the problem.

  --train FILE   co-located sensor/reference pairs to fit and cross-validate on
  --test FILE    pairs to score the train-fitted models on; never used to pick
  --format F     generic (site,time,raw_pm25,rh,temperature_c,ref_pm25 — see
                 calibrate/README.md) or purpleair-daily; detected from each file's header
                 when not given`;

function parseFormat(value: string | undefined): PairFormat | undefined {
  if (value === undefined) return undefined;
  const format = PAIR_FORMAT_IDS.find((f) => f === value);
  if (format === undefined) {
    throw new UsageError(`--format must be one of ${PAIR_FORMAT_IDS.join(', ')}, got '${value}'`);
  }
  return format;
}

function parseEvalArgs(argv: string[]) {
  const { values, positionals } = parseCommandArgs(
    argv,
    { train: { type: 'string' }, test: { type: 'string' }, format: { type: 'string' } },
    1,
  );
  if (positionals[0] !== 'eval') {
    throw new UsageError(
      positionals[0] === undefined
        ? "missing the subcommand: 'eval'"
        : `unknown subcommand '${positionals[0]}'; the only one is 'eval'`,
    );
  }
  if (values.train === undefined) throw new UsageError('--train FILE is required');
  if (values.test === undefined) throw new UsageError('--test FILE is required');
  return { train: values.train, test: values.test, format: parseFormat(values.format) };
}

/** A pair file, or the line to print: the file, the problem and the stable code. */
async function load(
  path: string,
  format: PairFormat | undefined,
): Promise<PairFile | { error: string }> {
  try {
    return await readPairFile(path, format);
  } catch (e) {
    if (e instanceof CalibrationError) return { error: `${e.message} (${e.code})` };
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.message;
    return { error: `cannot read ${path}: ${why}` };
  }
}

function fail(io: CliIo, message: string): number {
  io.stderr.write(`airbox calibrate: ${message}\n`);
  return 1;
}

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'fit and validate PM2.5 calibration models against reference stations',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const args = parseEvalArgs(argv);
    const train = await load(args.train, args.format);
    if ('error' in train) return fail(io, train.error);
    const test = await load(args.test, args.format);
    if ('error' in test) return fail(io, test.error);
    await writeLine(io.stdout, reportJson(evaluate(train, test)));
    return 0;
  },
};
