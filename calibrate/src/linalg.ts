import { CalibrationError } from './errors.ts';

/** A fitted linear predictor: y ≈ intercept + Σ coefficients[j] · columns[j]. */
export interface LinearFit {
  coefficients: number[];
  intercept: number;
}

// Pivots of the standardized normal matrix are 1 − R² of a predictor on the ones before it;
// below this the predictor is a linear function of the others to within rounding.
const SINGULAR_PIVOT = 1e-9;

/**
 * Refuses input no model should be fitted to: fewer pairs than parameters + 2 (no degrees of
 * freedom left to judge the fit), NaN/Infinity, or a predictor or reference that never varies.
 */
export function assertFitInput(
  method: string,
  predictors: Readonly<Record<string, readonly number[]>>,
  y: readonly number[],
  nParams: number,
): void {
  const n = y.length;
  if (n < nParams + 2) {
    throw new CalibrationError(
      'too-few-points',
      `${method}: ${n} usable pairs, but a model with ${nParams} parameters needs at least ` +
        `${nParams + 2}; co-locate for longer or use the EPA nationwide correction`,
    );
  }
  for (const [name, values] of [...Object.entries(predictors), ['reference', y] as const]) {
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new CalibrationError(
        'non-finite-input',
        `${method}: ${name} of pair ${bad + 1} is ${String(values[bad])}; drop or fix that pair`,
      );
    }
    if (values.every((v) => v === values[0])) {
      throw new CalibrationError(
        'zero-variance',
        `${method}: ${name} is ${String(values[0])} in all ${n} pairs, so no slope can be ` +
          'fitted; co-locate over a wider range of conditions',
      );
    }
  }
}

/**
 * Weighted least squares through the normal equations, solved by Gaussian elimination with
 * partial pivoting. Columns are centred and scaled first so that the pivots are comparable
 * (raw PM in µg/m³ beside RH in % would otherwise mix magnitudes) and collinearity shows.
 * Plain loops, no per-column copies: cross-validation and the κ search call this often.
 */
export function leastSquares(
  method: string,
  columns: readonly (readonly number[])[],
  y: readonly number[],
  weights?: readonly number[],
): LinearFit {
  const p = columns.length;
  const { sumW, means, yMean } = weightedMeans(columns, y, weights);
  const a = centredProducts(columns, y, weights, means, yMean);
  const scales = a.map((row, j) => Math.sqrt((row[j] ?? 0) / sumW));
  if (scales.some((s) => !(s > 0))) {
    throw new CalibrationError(
      'singular-design',
      `${method}: a predictor has no spread among the weighted pairs; the fit is undetermined`,
    );
  }
  // Standardized (z_j = (x_j − m_j) / s_j): the matrix holds the predictors' correlations.
  for (let r = 0; r < p; r++) {
    const row = a[r] ?? [];
    for (let c = r; c < p; c++) {
      row[c] = (row[c] ?? 0) / sumW / ((scales[r] ?? 1) * (scales[c] ?? 1));
      const mirror = a[c];
      if (mirror !== undefined) mirror[r] = row[c] ?? 0;
    }
    row[p] = (row[p] ?? 0) / sumW / (scales[r] ?? 1);
  }
  const beta = solveAugmented(method, a);
  const coefficients = beta.map((b, j) => b / (scales[j] ?? 1));
  const intercept = yMean - coefficients.reduce((s, c, j) => s + c * (means[j] ?? 0), 0);
  return { coefficients, intercept };
}

function weightedMeans(
  columns: readonly (readonly number[])[],
  y: readonly number[],
  weights: readonly number[] | undefined,
) {
  let sumW = 0;
  let ySum = 0;
  const sums = new Array<number>(columns.length).fill(0);
  for (let i = 0; i < y.length; i++) {
    const w = weights === undefined ? 1 : (weights[i] ?? 0);
    sumW += w;
    ySum += w * (y[i] ?? 0);
    for (let j = 0; j < columns.length; j++) sums[j] = (sums[j] ?? 0) + w * (columns[j]?.[i] ?? 0);
  }
  return { sumW, yMean: ySum / sumW, means: sums.map((m) => m / sumW) };
}

/** Upper triangle of Σ w (x_r − m_r)(x_c − m_c), and Σ w (x_r − m_r)(y − ȳ) as column p. */
function centredProducts(
  columns: readonly (readonly number[])[],
  y: readonly number[],
  weights: readonly number[] | undefined,
  means: readonly number[],
  yMean: number,
): number[][] {
  const p = columns.length;
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0));
  const d = new Array<number>(p).fill(0);
  for (let i = 0; i < y.length; i++) {
    const w = weights === undefined ? 1 : (weights[i] ?? 0);
    for (let j = 0; j < p; j++) d[j] = (columns[j]?.[i] ?? 0) - (means[j] ?? 0);
    const dy = (y[i] ?? 0) - yMean;
    for (let r = 0; r < p; r++) {
      const row = a[r] ?? [];
      const wr = w * (d[r] ?? 0);
      for (let c = r; c < p; c++) row[c] = (row[c] ?? 0) + wr * (d[c] ?? 0);
      row[p] = (row[p] ?? 0) + wr * dy;
    }
  }
  return a;
}

/** Solves the p × (p + 1) augmented system in place; throws on a (near-)singular matrix. */
function solveAugmented(method: string, a: number[][]): number[] {
  const p = a.length;
  const at = (r: number, c: number) => a[r]?.[c] ?? 0;
  for (let col = 0; col < p; col++) {
    let pivotRow = col;
    for (let r = col + 1; r < p; r++) {
      if (Math.abs(at(r, col)) > Math.abs(at(pivotRow, col))) pivotRow = r;
    }
    if (Math.abs(at(pivotRow, col)) < SINGULAR_PIVOT) {
      throw new CalibrationError(
        'singular-design',
        `${method}: the predictors are collinear (one is a linear function of the others); ` +
          'drop one or co-locate over more varied conditions',
      );
    }
    const pivot = a[pivotRow] ?? [];
    a[pivotRow] = a[col] ?? [];
    a[col] = pivot;
    for (let r = col + 1; r < p; r++) {
      const row = a[r] ?? [];
      const f = (row[col] ?? 0) / (pivot[col] ?? 1);
      for (let c = col; c <= p; c++) row[c] = (row[c] ?? 0) - f * (pivot[c] ?? 0);
    }
  }
  const x = new Array<number>(p).fill(0);
  for (let r = p - 1; r >= 0; r--) {
    let s = at(r, p);
    for (let c = r + 1; c < p; c++) s -= at(r, c) * (x[c] ?? 0);
    x[r] = s / at(r, r);
  }
  return x;
}
