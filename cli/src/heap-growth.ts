import { setFlagsFromString } from 'node:v8';
import { UsageError } from './io.ts';

/** Default of `serve --heap-growth-percent`. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/**
 * How far V8 lets its heap grow past what the last full collection kept before it collects
 * again. V8 picks a factor of up to 4× when its heap limit is large (a limit of 2 GB or more,
 * the default on a machine with 16 GB or more). Under connection churn — refused publishes,
 * reconnect floods — each connection's objects outlive two scavenges and are promoted, so the
 * old space fills with garbage: `airbox bench attack` measured +110–140 MB RSS in 10 s of
 * refused publishes over 40 MB of live heap, every byte of it freed by the next full GC. A
 * fixed factor brings that GC at live × (1 + percent/100).
 *
 * V8's `--heap-growing-percent` replaces the factor it computes from GC and mutator speed
 * and is read at every full collection, so setting it once the process runs takes effect
 * (measured on Node 20; Node warns that flags set late may not, hence the bench). 0 leaves
 * V8's own factor. Process-wide: task threads' heaps follow it too.
 */
export function limitHeapGrowth(value: string | undefined): number {
  const percent = value === undefined ? DEFAULT_HEAP_GROWTH_PERCENT : Number(value);
  if (!Number.isInteger(percent) || percent < 0 || percent > 1000) {
    throw new UsageError(
      `--heap-growth-percent must be a whole number 0–1000 (0 = V8's own), got '${value}'`,
    );
  }
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
