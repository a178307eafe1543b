import type { VariogramModel, VariogramModelName } from './types.ts';
import { shape, type LagBin } from './variogram.ts';

export interface VariogramFit extends VariogramModel {
  /** Weighted sum of squared residuals; the model with the smaller one is chosen. */
  wsse: number;
}

/**
 * For a fixed range the model is linear in (nugget, psill): weighted least squares with
 * both ≥ 0 (the boundary solutions when the free one is infeasible).
 */
function fitLinear(
  bins: readonly LagBin[],
  w: Float64Array,
  f: Float64Array,
): { nugget: number; psill: number; wsse: number } {
  let sw = 0, swf = 0, swff = 0, swg = 0, swfg = 0; // prettier-ignore
  bins.forEach((b, j) => {
    const wj = w[j] ?? 0;
    const fj = f[j] ?? 0;
    sw += wj;
    swf += wj * fj;
    swff += wj * fj * fj;
    swg += wj * b.gamma;
    swfg += wj * fj * b.gamma;
  });
  const sse = (nugget: number, psill: number) =>
    bins.reduce((s, b, j) => s + (w[j] ?? 0) * (b.gamma - nugget - psill * (f[j] ?? 0)) ** 2, 0);
  const det = sw * swff - swf * swf;
  if (det > 1e-12 * sw * swff) {
    const nugget = (swg * swff - swf * swfg) / det;
    const psill = (sw * swfg - swf * swg) / det;
    if (nugget >= 0 && psill >= 0) return { nugget, psill, wsse: sse(nugget, psill) };
  }
  const pure = { nugget: swg / sw, psill: 0 };
  const noNugget = { nugget: 0, psill: swff > 0 ? Math.max(0, swfg / swff) : 0 };
  const a = sse(pure.nugget, pure.psill);
  const b = sse(noNugget.nugget, noNugget.psill);
  return a <= b ? { ...pure, wsse: a } : { ...noNugget, wsse: b };
}

function fitAtRange(
  bins: readonly LagBin[],
  w: Float64Array,
  model: VariogramModelName,
  rangeM: number,
): VariogramFit {
  const f = Float64Array.from(bins, (b) => shape(model, b.lagM, rangeM));
  return { model, rangeM, ...fitLinear(bins, w, f) };
}

/** Log-spaced ranges, then golden-section refinement around the best (the WSSE is smooth). */
function fitModel(
  bins: readonly LagBin[],
  w: Float64Array,
  model: VariogramModelName,
  minM: number,
  maxM: number,
): VariogramFit {
  const steps = 40;
  let best = fitAtRange(bins, w, model, minM);
  let bestStep = 0;
  for (let s = 1; s <= steps; s++) {
    const fit = fitAtRange(bins, w, model, minM * Math.pow(maxM / minM, s / steps));
    if (fit.wsse < best.wsse) [best, bestStep] = [fit, s];
  }
  const at = (s: number) => Math.log(minM) + (Math.log(maxM / minM) * s) / steps;
  let lo = at(Math.max(0, bestStep - 1));
  let hi = at(Math.min(steps, bestStep + 1));
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 30; it++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    const fa = fitAtRange(bins, w, model, Math.exp(a));
    const fb = fitAtRange(bins, w, model, Math.exp(b));
    if (fa.wsse < fb.wsse) hi = b;
    else lo = a;
    for (const f of [fa, fb]) if (f.wsse < best.wsse) best = f;
  }
  return best;
}

/**
 * Weighted least squares fit of spherical and exponential models with nugget, weights
 * N(h)/h² (gstat's default fit.method = 7; Pebesma 2004, Comput. Geosci. 30:683): many
 * pairs and short lags — the ones local kriging uses — count most. The model with the
 * smaller weighted residual wins. Ranges are searched from half the first lag to 3× the
 * last (a range beyond the data only says "still rising").
 */
export function fitVariogram(bins: readonly LagBin[]): VariogramFit {
  const first = bins[0];
  const last = bins[bins.length - 1];
  if (!first || !last) throw new Error('fitVariogram: no lag bins');
  const w = Float64Array.from(bins, (b) => b.pairs / Math.max(b.lagM, 1) ** 2);
  const minM = Math.max(first.lagM / 2, 1);
  const maxM = Math.max(last.lagM * 3, minM * 2);
  const fits = (['spherical', 'exponential'] as const).map((m) => fitModel(bins, w, m, minM, maxM));
  return fits.reduce((a, b) => (b.wsse < a.wsse ? b : a));
}
