/**
 * Shapes derived from the MEASURES table. Each helper takes the table as an argument rather
 * than reading this package's own copy: callers pass the MEASURES they imported from
 * '@airbox/contracts', so a table swapped in by a test (vi.mock) reaches every layer.
 */
import type { Measure, MeasureField, MeasureSpec, MeasureValues, MEASURES } from './measures.ts';

/** One `T` per measure, in table order: the measures' part of a row tuple. */
export type PerMeasure<T, Table extends readonly unknown[] = typeof MEASURES> = {
  -readonly [K in keyof Table]: T;
};

/** The values of the measures in table order, as rows (SQLite, ReadingRow) hold them. */
export type MeasureNumbers = PerMeasure<number | null>;

/**
 * One entry per measure, keyed by its field, in table order (the key order JSON and zod
 * shapes keep): a schema shape, or the measure values of one reading.
 */
export function measureRecord<T>(
  measures: readonly Measure[],
  value: (measure: Measure, index: number) => T,
): Record<MeasureField, T> {
  const out: Partial<Record<MeasureField, T>> = {};
  for (let i = 0; i < measures.length; i++) {
    const measure = measures[i];
    if (measure !== undefined) out[measure.field] = value(measure, i);
  }
  // Every field of the table was set by the loop.
  return out as Record<MeasureField, T>;
}

/** The measure values of a reading in table order: the measures' part of a row tuple. */
export function measureNumbers(
  measures: readonly Measure[],
  values: MeasureValues,
): MeasureNumbers {
  const out: (number | null)[] = [];
  for (const measure of measures) out.push(values[measure.field]);
  // One number per measure, in table order: what MeasureNumbers says.
  return out as MeasureNumbers;
}

/**
 * The calibrated PM2.5 is not a measure: calibration adds it beside the raw value of the
 * measure it calibrates, which it never overwrites. The roll-ups carry its mean right after
 * that measure's.
 */
export const CALIBRATED = { field: 'pm25CalibratedUgM3', of: 'pm25' } as const;

type RollupMeasure = Extract<Measure, { rollup: true }>;
/** A mean the hourly and daily roll-ups carry. */
export type RollupField = RollupMeasure['field'] | typeof CALIBRATED.field;
export type RollupValues = { [F in RollupField]: number | null };

/** One mean of the roll-ups, in their column order: of a measure, or of the calibration. */
export interface RollupMean {
  readonly field: RollupField;
  /** Null for the calibrated PM2.5. */
  readonly measure: RollupMeasure | null;
}

const isRollup = (m: Measure): m is RollupMeasure => m.rollup;
// Past every rollupOrder, and still a number to subtract (Infinity - Infinity is NaN).
const LAST = Number.MAX_SAFE_INTEGER;
const rollupOrder = (m: MeasureSpec): number => m.rollupOrder ?? LAST;

/**
 * One entry per roll-up mean, keyed by its field, in roll-up column order. `means` is what
 * a layer made of rollupMeans() (e.g. with its own column names), one entry per mean.
 */
export function rollupRecord<M extends { readonly field: RollupField }, T>(
  means: readonly M[],
  value: (mean: M, index: number) => T,
): Record<RollupField, T> {
  const out: Partial<Record<RollupField, T>> = {};
  for (let i = 0; i < means.length; i++) {
    const mean = means[i];
    if (mean !== undefined) out[mean.field] = value(mean, i);
  }
  // One entry per mean of the table: every field was set by the loop.
  return out as Record<RollupField, T>;
}

/** The means of the roll-ups in their column order (see MeasureSpec.rollupOrder). */
export function rollupMeans(measures: readonly Measure[]): RollupMean[] {
  // Array#sort is stable: measures without an order keep their table order.
  const ordered = measures.filter(isRollup).sort((a, b) => rollupOrder(a) - rollupOrder(b));
  return ordered.flatMap((measure): RollupMean[] =>
    measure.id === CALIBRATED.of
      ? [
          { field: measure.field, measure },
          { field: CALIBRATED.field, measure: null },
        ]
      : [{ field: measure.field, measure }],
  );
}
