import type Database from 'better-sqlite3';
import type { DriftEvent } from './drift.ts';
import { CalibrationError } from './errors.ts';
import { methodById } from './models/index.ts';
import { pairsToCsv } from './pairs-csv.ts';
import { openRegistryDb, registryPath } from './registry-db.ts';
import {
  driftFromRow,
  MODEL_COLUMNS,
  modelId,
  pairFromRow,
  toRecord,
  type DriftRow,
  type ModelRecord,
  type ModelRow,
  type ModelScope,
  type NewModel,
  type PairQuery,
  type PairRow,
} from './registry-rows.ts';
import type { Pair, Profile } from './types.ts';

export {
  MODEL_SCOPES,
  modelId,
  type ModelMetrics,
  type ModelRecord,
  type ModelScope,
  type NewModel,
  type PairQuery,
} from './registry-rows.ts';

/**
 * Calibration models and the pairs they were fitted on, in `<dataDir>/calibration.sqlite`.
 * One connection per process; a reader in another process sees changes through version().
 */
export class ModelRegistry {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #now: () => number;

  constructor(path: string, now: () => number = Date.now) {
    this.path = path;
    this.#now = now;
    this.#db = openRegistryDb(path);
  }

  /** Bumped by every add and activate; poll it to know when to reload. */
  version(): number {
    const row = this.#db.prepare<[], { value: number }>(
      "SELECT value FROM meta WHERE key = 'version'",
    );
    return row.get()?.value ?? 0;
  }

  #bump(): void {
    this.#db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version'").run();
  }

  /** Stores a model, inactive, under the next number of its scope. */
  add(model: NewModel): ModelRecord {
    if (methodById(model.method) === undefined) {
      throw new CalibrationError(
        'unknown-method',
        `cannot store a model of method ${model.method}: no such method in this version`,
      );
    }
    methodById(model.method)?.fromParams(model.params); // refuses NaN or missing params
    const id = this.#db.transaction(() => {
      const seq =
        (this.#db
          .prepare<[string, string], { n: number | null }>(
            'SELECT max(seq) AS n FROM models WHERE scope = ? AND scope_key = ?',
          )
          .get(model.scope, model.scopeKey)?.n ?? 0) + 1;
      const id = modelId(model.method, model.scope, model.scopeKey, seq);
      this.#db
        .prepare(`INSERT INTO models (${MODEL_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0)`)
        .run(
          id,
          model.method,
          model.scope,
          model.scopeKey,
          seq,
          JSON.stringify(model.params),
          model.trainedFromMs,
          model.trainedToMs,
          JSON.stringify(model.sites),
          model.metrics === null ? null : JSON.stringify(model.metrics),
          model.reason ?? null,
          this.#now(),
        );
      this.#bump();
      return id;
    })();
    return this.#mustGet(id);
  }

  /** Makes `id` the active model of its scope (the one it replaces is kept, inactive). */
  activate(id: string): ModelRecord {
    const model = this.#mustGet(id);
    this.#db.transaction(() => {
      this.#db
        .prepare('UPDATE models SET active = 0 WHERE scope = ? AND scope_key = ? AND active = 1')
        .run(model.scope, model.scopeKey);
      this.#db.prepare('UPDATE models SET active = 1 WHERE id = ?').run(id);
      this.#bump();
    })();
    return this.#mustGet(id);
  }

  get(id: string): ModelRecord | undefined {
    const row = this.#db
      .prepare<[string], ModelRow>(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`)
      .get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  #mustGet(id: string): ModelRecord {
    const model = this.get(id);
    if (model === undefined) {
      throw new CalibrationError(
        'unknown-model',
        `no model ${id} in ${this.path}; list the models (airbox calibrate models) for the ids`,
      );
    }
    return model;
  }

  /** Models, newest first, optionally of one scope (and key). */
  list(query: { scope?: ModelScope; scopeKey?: string; activeOnly?: boolean } = {}) {
    const rows = this.#db
      .prepare<{ scope: string | null; key: string | null; active: number }, ModelRow>(
        `SELECT ${MODEL_COLUMNS} FROM models
         WHERE (@scope IS NULL OR scope = @scope) AND (@key IS NULL OR scope_key = @key)
           AND active >= @active
         ORDER BY created_ms DESC, rowid DESC`,
      )
      .all({
        scope: query.scope ?? null,
        key: query.scopeKey ?? null,
        active: query.activeOnly ? 1 : 0,
      });
    return rows.map(toRecord);
  }

  /** The active models (at most one per scope and key). */
  active(query: { scope?: ModelScope; scopeKey?: string } = {}): ModelRecord[] {
    return this.list({ ...query, activeOnly: true });
  }

  /** The model as a Profile, rebuilt from its stored parameters. */
  profile(model: ModelRecord | string): Profile {
    const record = typeof model === 'string' ? this.#mustGet(model) : model;
    const method = methodById(record.method);
    if (method === undefined) {
      throw new CalibrationError(
        'unknown-method',
        `model ${record.id} names method ${record.method}, which this version does not ` +
          'have; upgrade airbox or activate another model',
      );
    }
    return method.fromParams(record.params);
  }

  /** Stores pairs; a pair of the same site and hour replaces the one stored (late data). */
  addPairs(pairs: readonly (Pair & { station?: string | null })[]): number {
    const insert = this.#db.prepare(
      `INSERT OR REPLACE INTO pairs (site, time_ms, time, raw_pm25_ug_m3, rh_pct,
         temperature_c, ref_pm25_ug_m3, station) VALUES (?,?,?,?,?,?,?,?)`,
    );
    return this.#db.transaction(() => {
      for (const p of pairs) {
        const timeMs = Date.parse(p.time);
        if (Number.isNaN(timeMs)) {
          throw new CalibrationError('bad-row', `pair of ${p.site}: time "${p.time}" is not ISO`);
        }
        insert.run(
          p.site,
          timeMs,
          p.time,
          p.rawPm25UgM3,
          p.rhPct,
          p.temperatureC,
          p.refPm25UgM3,
          p.station ?? null,
        );
      }
      return pairs.length;
    })();
  }

  pairs(query: PairQuery = {}): (Pair & { station: string | null })[] {
    const rows = this.#db
      .prepare<{ sites: string | null; fromMs: number; toMs: number }, PairRow>(
        `SELECT site, time, raw_pm25_ug_m3, rh_pct, temperature_c, ref_pm25_ug_m3, station
         FROM pairs WHERE (@sites IS NULL OR site IN (SELECT value FROM json_each(@sites)))
           AND time_ms >= @fromMs AND time_ms < @toMs ORDER BY site, time_ms`,
      )
      .all({
        sites: query.sites === undefined ? null : JSON.stringify(query.sites),
        fromMs: query.fromMs ?? Number.MIN_SAFE_INTEGER,
        toMs: query.toMs ?? Number.MAX_SAFE_INTEGER,
      });
    return rows.map(pairFromRow);
  }

  /** Stored pairs as a generic-format CSV (readPairFile reads it back). */
  exportPairs(query: PairQuery = {}): string {
    return pairsToCsv(this.pairs(query));
  }

  addDriftEvent(event: DriftEvent): void {
    this.#db
      .prepare(
        `INSERT INTO drift_events (device_id, detected_ms, previous_model, new_model,
           residual_slope_ug_m3_per_day, previous_rmse_ug_m3, new_rmse_ug_m3, reasons)
         VALUES (?,?,?,?,?,?,?,?)`,
      )
      .run(
        event.deviceId,
        Date.parse(event.detectedAt),
        event.previousModel,
        event.newModel,
        event.residualSlopeUgM3PerDay,
        event.previousRmseUgM3,
        event.newRmseUgM3,
        JSON.stringify(event.reasons),
      );
  }

  /** Drift events, newest first. */
  driftEvents(query: { deviceId?: string } = {}): DriftEvent[] {
    const rows = this.#db
      .prepare<{ id: string | null }, DriftRow>(
        `SELECT * FROM drift_events WHERE (@id IS NULL OR device_id = @id)
         ORDER BY detected_ms DESC, id DESC`,
      )
      .all({ id: query.deviceId ?? null });
    return rows.map(driftFromRow);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}

/** Opens `<dataDir>/calibration.sqlite` (or `path`), creating it on first use. */
export function openModelRegistry(
  options: { dataDir: string; now?: () => number } | { path: string; now?: () => number },
): ModelRegistry {
  const path = 'path' in options ? options.path : registryPath(options.dataDir);
  return new ModelRegistry(path, options.now);
}
