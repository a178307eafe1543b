import type { DriftEvent } from './drift.ts';
import { CalibrationError } from './errors.ts';
import type { Pair } from './types.ts';
import type { Metrics } from './validate.ts';

export const MODEL_SCOPES = ['device', 'region', 'global'] as const;
export type ModelScope = (typeof MODEL_SCOPES)[number];

/** How a stored model was scored. */
export interface ModelMetrics {
  /** Out-of-sample: leave-one-site-out, or the last third of the window (one site). */
  validation: 'leave-one-site-out' | 'holdout-last-third' | 'none';
  validated: Metrics | null;
  /** The stored model on every pair it was fitted to (in-sample). */
  training: Metrics | null;
}

export interface NewModel {
  method: string;
  scope: ModelScope;
  /** The device id, the county, or '' for the global model. */
  scopeKey: string;
  params: Readonly<Record<string, number>>;
  trainedFromMs: number;
  trainedToMs: number;
  sites: readonly string[];
  metrics: ModelMetrics | null;
  /** Why this method (the pick rule's reason). */
  reason?: string | null;
}

export interface ModelRecord {
  /** `<method>/<scope>/<key>/<n>`, e.g. `linear@1/device/08BEAC028A6A/3`; see modelId. */
  id: string;
  method: string;
  scope: ModelScope;
  scopeKey: string;
  /** 1, 2, … per scope and key. */
  seq: number;
  params: Readonly<Record<string, number>>;
  trainedFrom: string;
  trainedTo: string;
  sites: string[];
  metrics: ModelMetrics | null;
  reason: string | null;
  createdAt: string;
  active: boolean;
}

/**
 * Readable, stable ids: what the model is, where it applies, and which fit of that scope it
 * was. Device ids and counties hold no `/` (protocol isValidDeviceId), so `/` separates.
 */
export function modelId(method: string, scope: ModelScope, scopeKey: string, seq: number) {
  return scope === 'global' ? `${method}/global/${seq}` : `${method}/${scope}/${scopeKey}/${seq}`;
}

export interface ModelRow {
  id: string;
  method: string;
  scope: ModelScope;
  scope_key: string;
  seq: number;
  params: string;
  trained_from_ms: number;
  trained_to_ms: number;
  sites: string;
  metrics: string | null;
  reason: string | null;
  created_ms: number;
  active: number;
}

export interface PairRow {
  site: string;
  time: string;
  raw_pm25_ug_m3: number;
  rh_pct: number | null;
  temperature_c: number | null;
  ref_pm25_ug_m3: number;
  station: string | null;
}

export interface PairQuery {
  sites?: readonly string[];
  fromMs?: number;
  toMs?: number;
}

// The file is ours, but it may be edited by hand or damaged: params are checked here and
// by the method's fromParams; metrics are shown, never computed with, so they are not.
function parseParams(id: string, json: string): Record<string, number> {
  const value: unknown = JSON.parse(json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CalibrationError('bad-params', `model ${id}: params ${json} are not an object`);
  }
  const params: Record<string, number> = {};
  const bad: string[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number') params[name] = v;
    else bad.push(name);
  }
  if (bad.length > 0) {
    throw new CalibrationError('bad-params', `model ${id}: params ${bad.join(', ')} not numbers`);
  }
  return params;
}

export function toRecord(row: ModelRow): ModelRecord {
  return {
    id: row.id,
    method: row.method,
    scope: row.scope,
    scopeKey: row.scope_key,
    seq: row.seq,
    params: parseParams(row.id, row.params),
    trainedFrom: new Date(row.trained_from_ms).toISOString(),
    trainedTo: new Date(row.trained_to_ms).toISOString(),
    sites: JSON.parse(row.sites) as string[],
    metrics: row.metrics === null ? null : (JSON.parse(row.metrics) as ModelMetrics),
    reason: row.reason,
    createdAt: new Date(row.created_ms).toISOString(),
    active: row.active === 1,
  };
}

export const MODEL_COLUMNS = `id, method, scope, scope_key, seq, params, trained_from_ms, trained_to_ms,
  sites, metrics, reason, created_ms, active`;

export function pairFromRow(r: PairRow): Pair & { station: string | null } {
  return {
    site: r.site,
    time: r.time,
    rawPm25UgM3: r.raw_pm25_ug_m3,
    rhPct: r.rh_pct,
    temperatureC: r.temperature_c,
    refPm25UgM3: r.ref_pm25_ug_m3,
    station: r.station,
  };
}

export interface DriftRow {
  device_id: string;
  detected_ms: number;
  previous_model: string;
  new_model: string;
  residual_slope_ug_m3_per_day: number;
  previous_rmse_ug_m3: number;
  new_rmse_ug_m3: number;
  reasons: string;
}

export function driftFromRow(r: DriftRow): DriftEvent {
  return {
    deviceId: r.device_id,
    detectedAt: new Date(r.detected_ms).toISOString(),
    previousModel: r.previous_model,
    newModel: r.new_model,
    residualSlopeUgM3PerDay: r.residual_slope_ug_m3_per_day,
    previousRmseUgM3: r.previous_rmse_ug_m3,
    newRmseUgM3: r.new_rmse_ug_m3,
    reasons: JSON.parse(r.reasons) as string[],
  };
}
