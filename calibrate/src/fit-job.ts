import { detectDrift, type DriftEvent, type DriftThresholds } from './drift.ts';
import { CalibrationError } from './errors.ts';
import {
  buildPairs,
  type PairingOptions,
  type PairingResult,
  type PairingStore,
} from './pairing.ts';
import type { ModelRecord, ModelRegistry, ModelScope } from './registry.ts';
import { selectAndFit } from './select.ts';
import type { Method, Pair } from './types.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
// LASS's own calibration framework refitted daily over the last 7 days (its c_d0_method
// reads e.g. `BRR/7/3.54`: method / days / distance km, see protocol/src/opendata.ts).
export const DEFAULT_WINDOW_DAYS = 7;
// Three days of hours: the last third held out to score a single site then spans 24 h, one
// whole diurnal cycle of PM2.5, RH and temperature.
export const DEFAULT_MIN_PAIRS = 72;

export interface RefitOptions extends Omit<PairingOptions, 'fromMs' | 'toMs'> {
  /** Epoch ms; the window ends at the start of this hour (only complete hours). */
  now: number;
  windowDays?: number;
  /** Fewest pairs a scope needs for a model of its own. */
  minPairs?: number;
  drift?: Partial<DriftThresholds>;
  methods?: readonly Method[];
}

export interface Skipped {
  scope: ModelScope;
  scopeKey: string;
  code: string;
  message: string;
}

export interface RefitResult {
  window: { from: string; to: string };
  pairing: Omit<PairingResult, 'pairs'> & { pairs: number };
  /** The models stored and activated by this refit. */
  models: ModelRecord[];
  /** Scopes that got no new model (too few pairs, a fit refused), and why. */
  skipped: Skipped[];
  drift: DriftEvent[];
}

interface Group {
  scope: ModelScope;
  scopeKey: string;
  pairs: Pair[];
}

function groupsOf(pairing: PairingResult): Group[] {
  const county = new Map(pairing.boxes.map((b) => [b.deviceId, b.county]));
  const groups = new Map<string, Group>();
  const add = (scope: ModelScope, scopeKey: string, pair: Pair) => {
    const key = `${scope}/${scopeKey}`;
    const group = groups.get(key) ?? { scope, scopeKey, pairs: [] };
    group.pairs.push(pair);
    groups.set(key, group);
  };
  for (const p of pairing.pairs) {
    add('device', p.site, p);
    add('region', county.get(p.site) ?? 'unknown', p);
    add('global', '', p);
  }
  return [...groups.values()];
}

function checkOptions(windowDays: number, minPairs: number): void {
  if (!(Number.isFinite(windowDays) && windowDays > 0)) {
    throw new CalibrationError('invalid-option', `windowDays ${windowDays} must be above 0`);
  }
  if (!(Number.isInteger(minPairs) && minPairs >= 6)) {
    // 6: the most any method needs (multilinear: 4 parameters + 2).
    throw new CalibrationError('invalid-option', `minPairs ${minPairs} must be an integer ≥ 6`);
  }
}

interface GroupResult {
  model?: ModelRecord;
  skipped?: Skipped;
  drift?: DriftEvent;
}

/** Fits, stores and activates one scope's model; a refusal is a skip, not a failure. */
function fitGroup(
  registry: ModelRegistry,
  group: Group,
  window: { fromMs: number; toMs: number },
  options: RefitOptions & { minPairs: number },
): GroupResult {
  const { scope, scopeKey, pairs } = group;
  if (pairs.length < options.minPairs) {
    const message = `${pairs.length} pairs in the window, fewer than minPairs ${options.minPairs}`;
    return { skipped: { scope, scopeKey, code: 'too-few-points', message } };
  }
  let selection: ReturnType<typeof selectAndFit>;
  try {
    selection = selectAndFit(pairs, options.methods);
  } catch (e) {
    if (!(e instanceof CalibrationError)) throw e;
    return { skipped: { scope, scopeKey, code: e.code, message: e.message } };
  }
  const previous = registry.active({ scope, scopeKey })[0];
  const stored = registry.add({
    method: selection.method.id,
    scope,
    scopeKey,
    params: selection.profile.params,
    trainedFromMs: window.fromMs,
    trainedToMs: window.toMs,
    sites: [...new Set(pairs.map((p) => p.site))],
    metrics: selection.metrics,
    reason: selection.pick.reason,
  });
  const model = registry.activate(stored.id);
  if (scope !== 'device' || previous === undefined) return { model };
  const drift = detectDrift({
    deviceId: scopeKey,
    pairs,
    previous: { id: previous.id, profile: registry.profile(previous) },
    next: { id: stored.id, profile: selection.profile },
    nowMs: options.now,
    thresholds: options.drift,
  });
  if (drift) registry.addDriftEvent(drift);
  return drift ? { model, drift } : { model };
}

function noModelError(pairing: PairingResult, skipped: Skipped[]): CalibrationError {
  return new CalibrationError(
    'too-few-points',
    `no model could be fitted on ${pairing.pairs.length} pairs from ` +
      `${pairing.window.from} to ${pairing.window.to}: ` +
      skipped.map((s) => `${s.scope} ${s.scopeKey || '(all)'}: ${s.message}`).join('; ') +
      '; co-locate for longer or lower minPairs',
  );
}

/**
 * The sliding-window refit: pairs over the last `windowDays`, then a model per co-located
 * device, per region (county of the station; its boxes pooled) and one global, each picked
 * by select.ts, stored with its metrics and activated; drift checked against each device's
 * previously active model. Throws CalibrationError when the window yields no model at all.
 */
export async function refit(
  registry: ModelRegistry,
  store: PairingStore,
  options: RefitOptions,
): Promise<RefitResult> {
  const windowDays = options.windowDays ?? DEFAULT_WINDOW_DAYS;
  const minPairs = options.minPairs ?? DEFAULT_MIN_PAIRS;
  checkOptions(windowDays, minPairs);
  const toMs = Math.floor(options.now / HOUR_MS) * HOUR_MS;
  const fromMs = toMs - Math.round(windowDays * DAY_MS);
  const pairing = await buildPairs(store, { ...options, fromMs, toMs });
  const station = new Map(pairing.boxes.map((b) => [b.deviceId, b.stationId]));
  registry.addPairs(pairing.pairs.map((p) => ({ ...p, station: station.get(p.site) ?? null })));

  const results = groupsOf(pairing).map((group) =>
    fitGroup(registry, group, { fromMs, toMs }, { ...options, minPairs }),
  );
  const models = results.flatMap((r) => (r.model ? [r.model] : []));
  const skipped = results.flatMap((r) => (r.skipped ? [r.skipped] : []));
  const drift = results.flatMap((r) => (r.drift ? [r.drift] : []));
  if (models.length === 0) throw noModelError(pairing, skipped);
  return {
    window: pairing.window,
    pairing: { ...pairing, pairs: pairing.pairs.length },
    models,
    skipped,
    drift,
  };
}
