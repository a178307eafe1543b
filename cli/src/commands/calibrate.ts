import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CalibrationError,
  evaluate,
  METHODS,
  PAIR_FORMAT_IDS,
  readPairFile,
  renderReport,
  reportJson,
  type PairFile,
  type PairFormat,
} from '@airbox/calibrate';
import { parseCommandArgs } from '../args.ts';
import { UsageError, writeLine, type CliIo, type Command } from '../io.ts';
import { STORE_USAGE } from '../store-options.ts';
import { MODEL_RUNNERS, MODELS_USAGE } from './calibrate-models.ts';
import { PUBLISHED, runRecalibrate } from './calibrate-recalibrate.ts';

const FORMATS = PAIR_FORMAT_IDS.join('|');
const usage = `usage: airbox calibrate eval --train FILE --test FILE [--format ${FORMATS}]
       airbox calibrate report --train FILE --test FILE [--format F] --out FILE.html
       airbox calibrate recalibrate --from ISO --to ISO [--device ID ...] [--model ID]
                                    [--data-dir DIR] [store flags]
${MODELS_USAGE}

eval: fits every calibration method (the EPA corrections included) on the train file, scores
each on the test file and by leave-one-sensor-out cross-validation on the train file, and
prints one JSON object: per method its parameters, test and LOSO metrics and whether they
meet the EPA PM2.5 sensor targets, and "picked": the method the system would use, and why.

report: the same evaluation as one self-contained HTML file (opens offline): metrics and
EPA target checks per method, sensor-vs-reference plots before and after calibration, and
the pick. Progress on stderr; the file's path on stdout.

recalibrate: rewrites the calibrated PM2.5 and model id of the stored box readings in
[--from, --to); raw values are never changed, reference stations never recalibrated, and
readings calibrated upstream (LASS "lass:…" models) keep theirs. Progress on stderr; a JSON
summary on stdout. Interrupted, it can be run again: what is done is not written twice.

  --train FILE   co-located sensor/reference pairs to fit and cross-validate on
  --test FILE    pairs to score the train-fitted models on; never used to pick
  --format F     ${FORMATS.replace('|', ' or ')} (see calibrate/README.md); detected from each
                 file's header when not given
  --out FILE     where the HTML report goes
  --from ISO     first time to recalibrate (inclusive), e.g. 2026-03-01T00:00:00Z
  --to ISO       end (exclusive)
  --device ID    only this device (repeat for more); default every device in the store
  --model ID     a published model (${PUBLISHED.join(', ')}) or a model of the
                 registry in the data dir; default: the registry's active models, chosen per
                 reading as the worker does
  --data-dir DIR the data dir of 'airbox serve' (default ./data)

Errors go to stderr (exit 1), naming the file and the problem; usage mistakes exit 2.

${STORE_USAGE}`;

const SUBCOMMANDS = [
  'eval',
  'report',
  'recalibrate',
  'fit',
  'models',
  'activate',
  'pairs',
] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

function subcommandOf(positional: string | undefined): Subcommand {
  const found = SUBCOMMANDS.find((s) => s === positional);
  if (found !== undefined) return found;
  const list = SUBCOMMANDS.map((s) => `'${s}'`).join(', ');
  throw new UsageError(
    positional === undefined
      ? `missing the subcommand: one of ${list}`
      : `unknown subcommand '${positional}'; the subcommands are ${list}`,
  );
}

function parseFormat(value: string | undefined): PairFormat | undefined {
  if (value === undefined) return undefined;
  const format = PAIR_FORMAT_IDS.find((f) => f === value);
  if (format === undefined) {
    throw new UsageError(`--format must be one of ${PAIR_FORMAT_IDS.join(', ')}, got '${value}'`);
  }
  return format;
}

const PAIR_OPTIONS = {
  train: { type: 'string' },
  test: { type: 'string' },
  format: { type: 'string' },
} as const;

function pairArgs(values: { train?: string; test?: string; format?: string }) {
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

async function loadBoth(
  args: ReturnType<typeof pairArgs>,
): Promise<[PairFile, PairFile] | { error: string }> {
  const train = await load(args.train, args.format);
  if ('error' in train) return train;
  const test = await load(args.test, args.format);
  if ('error' in test) return test;
  return [train, test];
}

async function runEval(argv: string[], io: CliIo): Promise<number> {
  const args = pairArgs(parseCommandArgs(argv, PAIR_OPTIONS, 1).values);
  const files = await loadBoth(args);
  if ('error' in files) return fail(io, files.error);
  await writeLine(io.stdout, reportJson(evaluate(...files)));
  return 0;
}

async function runReport(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, { ...PAIR_OPTIONS, out: { type: 'string' } }, 1);
  const args = pairArgs(values);
  if (values.out === undefined) throw new UsageError('--out FILE.html is required');
  const out = resolve(values.out);
  const files = await loadBoth(args);
  if ('error' in files) return fail(io, files.error);
  const [train, test] = files;
  io.stderr.write(
    `report: fitting ${METHODS.length} methods on ${train.pairs.length} pairs from ${train.sites.length} sites, leave-one-site-out, scoring on ${test.pairs.length} pairs…\n`,
  );
  const report = evaluate(train, test, METHODS, { predictions: true });
  const html = renderReport({ report, generatedAt: new Date(io.now()).toISOString() });
  try {
    await writeFile(out, html);
  } catch (e) {
    return fail(io, `cannot write the report to ${out}: ${(e as Error).message}`);
  }
  io.stderr.write(`report: picked ${report.picked.id}; ${html.length} bytes written\n`);
  await writeLine(io.stdout, out);
  return 0;
}

const RUNNERS: Record<Subcommand, (argv: string[], io: CliIo) => Promise<number>> = {
  eval: runEval,
  report: runReport,
  recalibrate: runRecalibrate,
  ...MODEL_RUNNERS,
};

export const calibrateCommand: Command = {
  name: 'calibrate',
  summary: 'fit, validate and report PM2.5 calibration models; recalibrate stored history',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const first = argv[0];
    const subcommand = subcommandOf(first?.startsWith('-') ? undefined : first);
    return RUNNERS[subcommand](argv, io);
  },
};
