import { describe, expect, it } from 'vitest';
import { AIRBOX_BIN } from '@airbox/testkit';
import { runRefitBench } from '../src/refit-bench.ts';

/**
 * `airbox bench refit`, tiny: the same code as the 2,000-box run on 30 boxes × 4 days. It
 * checks that the refit ran on every box and that its duration and memory were read; how
 * long it takes is the benchmark's to say, not this test's.
 */
describe('airbox bench refit, tiny', () => {
  it(
    'refits every co-located box in a process of its own and reports duration and peak RSS',
    { timeout: 120_000 },
    async () => {
      const r = await runRefitBench({
        airbox: [process.execPath, AIRBOX_BIN],
        sizes: { boxes: 30, days: 4, windowDays: 4, intervalMin: 60 },
        progress: () => undefined,
      });
      expect(r.refit.exit, r.refit.said).toBe(0);
      expect(r.refit.boxes).toBe(30);
      // 4 days of hours, the last one still open when the fill ends.
      expect(r.refit.pairs).toBeGreaterThanOrEqual(30 * 95);
      // A model per box, per county (at least one) and one global.
      expect(r.refit.models).toBeGreaterThanOrEqual(32);
      expect(r.refit.seconds).toBeGreaterThan(0);
      expect(r.refit.cpuSeconds).toBeGreaterThan(0);
      expect(r.refit.peakRssMb).toBeGreaterThan(50);
      expect(r.refit.sampledPeakRssMb).toBeLessThanOrEqual(r.refit.peakRssMb + 1);
    },
  );
});
