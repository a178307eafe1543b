/**
 * `airbox calibrate recalibrate`: stored history calibrated again with one model (or the
 * registry's active ones), as the worker would calibrate it now.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  METHODS,
  methodById,
  openModelRegistry,
  registryPath,
  registryProvider,
} from '@airbox/calibrate';
import { isValidDeviceId } from '@airbox/protocol';
import type { Recalibrator } from '@airbox/store';
import { parseCommandArgs } from '../args.ts';
import { UsageError, writeLine, type CliIo } from '../io.ts';
import { progressReporter } from '../progress.ts';
import { openStore, STORE_OPTIONS } from '../store-options.ts';

/** The models that need no fitting: usable by id without a registry. */
export const PUBLISHED = METHODS.filter((m) => !m.fitted).map((m) => m.id);

function timeFlag(flag: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--${flag} ISO is required`);
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(`--${flag} must be an ISO 8601 time, got '${value}'`);
  }
  return ms;
}

/** What recalibrate applies, said for people, and how to release it. */
interface Model {
  label: string;
  calibrate: Recalibrator;
  close: () => void;
}

/** A published model by id, a registry model by id, or the registry's active models. */
function resolveModel(id: string | undefined, dataDir: string, io: CliIo): Model {
  const method = id === undefined ? undefined : methodById(id);
  if (method !== undefined && !method.fitted) {
    const profile = method.fit([]);
    const calibrate: Recalibrator = (r) => ({ value: profile.apply(r), model: profile.id });
    return { label: profile.id, calibrate, close: () => undefined };
  }
  if (method !== undefined) {
    throw new UsageError(
      `--model ${id} is a method fitted per data set, not a model: give the id of a fitted model in the registry (e.g. ${id}/global/1) or a published one (${PUBLISHED.join(', ')})`,
    );
  }
  const path = registryPath(dataDir);
  if (!existsSync(path)) {
    const what = id === undefined ? 'no --model given' : `--model ${id} is not a published model`;
    throw new Error(
      `${what}, and there is no model registry at ${path}; pass --data-dir, or --model ${PUBLISHED[0]}`,
    );
  }
  const registry = openModelRegistry({ path, now: io.now });
  if (id !== undefined) {
    try {
      const profile = registry.profile(id);
      // The registry id, not the method's: it names exactly which fit produced the value.
      const calibrate: Recalibrator = (r) => ({ value: profile.apply(r), model: id });
      return { label: id, calibrate, close: () => registry.close() };
    } catch (e) {
      registry.close();
      throw e;
    }
  }
  const chosen = registryProvider(registry, { now: io.now });
  const calibrate: Recalibrator = (r) => {
    const model = chosen.provider(r);
    return { value: model.apply(r), model: model.id };
  };
  const close = () => {
    chosen.stop();
    registry.close();
  };
  return { label: `the active models of ${path}`, calibrate, close };
}

export async function runRecalibrate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      from: { type: 'string' },
      to: { type: 'string' },
      device: { type: 'string', multiple: true },
      model: { type: 'string' },
      'data-dir': { type: 'string' },
      ...STORE_OPTIONS,
    },
    1,
  );
  const fromMs = timeFlag('from', values.from);
  const toMs = timeFlag('to', values.to);
  if (fromMs >= toMs) throw new UsageError(`--from ${values.from} is not before --to ${values.to}`);
  const bad = values.device?.find((d) => !isValidDeviceId(d));
  if (bad !== undefined) {
    throw new UsageError(`--device '${bad}' is not a device id (letters, digits, _ - . :)`);
  }
  const dataDir = resolve(values['data-dir'] ?? 'data');
  const sqlitePath = join(dataDir, 'readings.db');
  if ((values.store ?? 'sqlite') === 'sqlite' && !existsSync(sqlitePath)) {
    throw new Error(`no store at ${sqlitePath}: nothing to recalibrate; check --data-dir`);
  }
  const model = resolveModel(values.model, dataDir, io);
  try {
    return await recalibrateWith(model, { deviceIds: values.device, fromMs, toMs }, values, io);
  } finally {
    model.close();
  }
}

async function recalibrateWith(
  model: Model,
  query: { deviceIds: string[] | undefined; fromMs: number; toMs: number },
  values: Parameters<typeof openStore>[0] & { 'data-dir'?: string },
  io: CliIo,
): Promise<number> {
  const startedMs = io.now();
  const range = `${new Date(query.fromMs).toISOString()} – ${new Date(query.toMs).toISOString()}`;
  const devices = query.deviceIds?.join(', ') ?? 'every device';
  io.stderr.write(`recalibrate: ${model.label} over ${range}, ${devices}\n`);
  let seen = 0;
  let keptUpstream = 0;
  const progress = progressReporter(io, 'recalibrate', () => `${seen} readings`);
  // Upstream calibrations (LASS archives' own c_d0) are kept, as the worker keeps them.
  const calibrate: Recalibrator = (r) => {
    seen++;
    progress.tick();
    if (r.calibrationModel?.startsWith('lass:')) {
      keptUpstream++;
      return null;
    }
    return model.calibrate(r);
  };
  const store = await openStore(values, resolve(values['data-dir'] ?? 'data'));
  try {
    const result = await store.recalibrate(query, calibrate);
    progress.done();
    const summary = {
      from: new Date(query.fromMs).toISOString(),
      to: new Date(query.toMs).toISOString(),
      devices: query.deviceIds ?? null,
      model: model.label,
      ...result,
      keptUpstream,
      elapsedMs: io.now() - startedMs,
    };
    io.stderr.write(
      `recalibrate: ${result.updated} updated, ${result.unchanged} unchanged (${keptUpstream} calibrated upstream), ${result.references} reference readings left as they are` +
        (result.notCleared > 0
          ? `, ${result.notCleared} kept their old value (the model gave none, and InfluxDB cannot remove a field)\n`
          : '\n'),
    );
    await writeLine(io.stdout, JSON.stringify(summary));
    return 0;
  } finally {
    await store.close();
  }
}
