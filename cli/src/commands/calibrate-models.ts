/**
 * `airbox calibrate fit|models|activate|pairs`: the model registry of a data dir from the
 * command line — what `airbox serve` does daily (refit), what it applies (models), and the
 * co-located pairs it learned from, for a researcher to check.
 */
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { CalibrationError, openModelRegistry, refit, type ModelRegistry } from '@airbox/calibrate';
import { parseCommandArgs, positiveNumber } from '../args.ts';
import { UsageError, writeLine, type CliIo } from '../io.ts';
import { openStore, STORE_OPTIONS } from '../store-options.ts';

export const MODELS_USAGE = `       airbox calibrate fit [--window-days N] [--max-distance-m M] [--readings-per-hour N]
                            [--data-dir DIR] [store flags]
       airbox calibrate models [--active] [--data-dir DIR]
       airbox calibrate activate MODEL_ID [--data-dir DIR]
       airbox calibrate pairs [--out FILE.csv] [--data-dir DIR]

fit: pairs each box within --max-distance-m (default 1000) of a reference station with the
station's hours over the last --window-days (default 7), fits per device, per county and
globally, validates, stores the models with their metrics and activates them. A running
'airbox serve' picks them up within 10 s. Prints the refit as JSON.
models: the registry's models as JSON lines (id, method, scope, window, sites, metrics).
activate: makes MODEL_ID the active one of its scope (roll back a refit).
pairs: the co-located pairs the fits used, as CSV (calibrate's generic format).`;

function registryOf(dataDir: string | undefined): ModelRegistry {
  return openModelRegistry({ dataDir: resolve(dataDir ?? 'data') });
}

async function runFit(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv.slice(1),
    {
      'window-days': { type: 'string' },
      'max-distance-m': { type: 'string' },
      'readings-per-hour': { type: 'string' },
      'data-dir': { type: 'string' },
      ...STORE_OPTIONS,
    },
    0,
  );
  const dataDir = resolve(v['data-dir'] ?? 'data');
  const store = await openStore(v, dataDir);
  const registry = registryOf(dataDir);
  try {
    const startedMs = performance.now();
    const result = await refit(registry, store, {
      now: io.now(),
      windowDays: positiveNumber('window-days', v['window-days'], 7),
      maxDistanceM: positiveNumber('max-distance-m', v['max-distance-m'], 1000),
      expectedReadingsPerHour: positiveNumber('readings-per-hour', v['readings-per-hour'], 60),
    });
    // Duration and peak memory: what an operator sizes the daily refit's host by.
    const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
    const usage = process.resourceUsage();
    const peakMb = Math.round(usage.maxRSS / 1024);
    const cpuSeconds = ((usage.userCPUTime + usage.systemCPUTime) / 1e6).toFixed(1);
    io.stderr.write(
      `calibrate fit: ${result.pairing.pairs} pairs from ${result.pairing.boxes.length} co-located boxes; ${result.models.length} models stored and activated, ${result.skipped.length} scopes skipped, ${result.drift.length} drift events; ${seconds} s (CPU ${cpuSeconds} s), peak RSS ${peakMb} MB\n`,
    );
    await writeLine(io.stdout, JSON.stringify(result));
    return 0;
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    io.stderr.write(`airbox calibrate fit: ${e.message}\n`);
    return 1;
  } finally {
    registry.close();
    await store.close();
  }
}

async function runModels(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv.slice(1),
    { active: { type: 'boolean' }, 'data-dir': { type: 'string' } },
    0,
  );
  const registry = registryOf(v['data-dir']);
  try {
    for (const m of registry.list({ activeOnly: v.active ?? false })) {
      await writeLine(io.stdout, JSON.stringify(m));
    }
    return 0;
  } finally {
    registry.close();
  }
}

async function runActivate(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parseCommandArgs(
    argv.slice(1),
    { 'data-dir': { type: 'string' } },
    1,
  );
  const id = positionals[0];
  if (id === undefined)
    throw new UsageError('activate needs a model id (see airbox calibrate models)');
  const registry = registryOf(v['data-dir']);
  try {
    if (registry.get(id) === undefined) {
      io.stderr.write(`airbox calibrate activate: no model '${id}' in the registry\n`);
      return 1;
    }
    registry.activate(id);
    io.stderr.write(`calibrate activate: ${id} is active for its scope\n`);
    return 0;
  } finally {
    registry.close();
  }
}

async function runPairs(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parseCommandArgs(
    argv.slice(1),
    { out: { type: 'string' }, 'data-dir': { type: 'string' } },
    0,
  );
  const registry = registryOf(v['data-dir']);
  try {
    const csv = registry.exportPairs({});
    if (v.out === undefined) io.stdout.write(csv);
    else {
      await writeFile(v.out, csv);
      await writeLine(io.stdout, v.out);
    }
    return 0;
  } finally {
    registry.close();
  }
}

export const MODEL_RUNNERS = {
  fit: runFit,
  models: runModels,
  activate: runActivate,
  pairs: runPairs,
};
