import type { Reading } from '@airbox/contracts';
import { CalibrationError } from '../errors.ts';
import type { ModelInput, Pair, Profile } from '../types.ts';

/**
 * Wraps a model equation as a Profile. Outputs below zero are reported as 0: a negative
 * concentration is not physical, and evaluating the clamped value means the metrics describe
 * what the worker will store.
 */
export function makeProfile(
  id: string,
  params: Record<string, number>,
  equation: (input: ModelInput) => number | null,
): Profile {
  const predict = (input: ModelInput): number | null => {
    if (!Number.isFinite(input.rawPm25UgM3)) return null;
    const v = equation(input);
    return v === null || !Number.isFinite(v) ? null : Math.max(0, v);
  };
  return {
    id,
    params: Object.freeze({ ...params }),
    predict,
    apply: (r: Reading) =>
      r.pm25UgM3 === null
        ? null
        : predict({ rawPm25UgM3: r.pm25UgM3, rhPct: r.humidityPct, temperatureC: r.temperatureC }),
  };
}

/** The pairs that carry every input a model needs, as columns. */
export function columnsOf(pairs: readonly Pair[], needs: { rh?: boolean; temperature?: boolean }) {
  const raw: number[] = [];
  const rh: number[] = [];
  const temperature: number[] = [];
  const ref: number[] = [];
  for (const p of pairs) {
    if (needs.rh && p.rhPct === null) continue;
    if (needs.temperature && p.temperatureC === null) continue;
    raw.push(p.rawPm25UgM3);
    rh.push(p.rhPct ?? NaN);
    temperature.push(p.temperatureC ?? NaN);
    ref.push(p.refPm25UgM3);
  }
  return { raw, rh, temperature, ref };
}

/**
 * The named parameters of a stored model, checked: every name present and finite. Other
 * stored values (e.g. Huber's scale, kept for the record) are passed through unchecked.
 */
export function requireParams<const K extends string>(
  id: string,
  params: Readonly<Record<string, unknown>>,
  names: readonly K[],
): Record<K, number> {
  const bad = names.filter((n) => typeof params[n] !== 'number' || !Number.isFinite(params[n]));
  if (bad.length > 0) {
    const got = JSON.stringify(params);
    throw new CalibrationError(
      'bad-params',
      `${id}: parameter(s) ${bad.join(', ')} missing or not finite numbers in ${got}; ` +
        'refit the model rather than edit its parameters',
    );
  }
  return Object.fromEntries(names.map((n) => [n, params[n]])) as Record<K, number>;
}
