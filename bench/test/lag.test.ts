import { describe, expect, it } from 'vitest';
import { AIRBOX_BIN } from '@airbox/testkit';
import { runLagBench } from '../src/lag-bench.ts';

/**
 * `airbox bench lag`, tiny: the same code as the full run on 10 boxes × 3 days, each job
 * briefly. It checks that every job ran and was measured and that the flood was taken;
 * whether the targets are met is the benchmark's to say, not this test's.
 */
describe('airbox bench lag, tiny', () => {
  it(
    'reports each job with serve’s loop delay, PUBACK latency and /healthz, then the flood',
    { timeout: 300_000 },
    async () => {
      const r = await runLagBench({
        airbox: [process.execPath, AIRBOX_BIN],
        sizes: {
          boxes: 10,
          days: 3,
          ratePerS: 50,
          seconds: 3,
          surfaceSize: 32,
          exportDays: 1,
          recalibrateDays: 3,
          saturateInFlight: 10,
          saturateS: 3,
          connections: 10,
        },
        settleMs: 1000,
        progress: () => undefined,
      });
      expect(r.phases.map((p) => p.job)).toEqual([
        'refit',
        'none',
        'surface',
        'export',
        'recalibrate',
      ]);
      for (const p of r.phases) {
        expect(p.load.acked, p.job).toBeGreaterThan(0);
        expect(p.load.failed, p.job).toBe(0);
        expect(p.serve.samples, p.job).toBeGreaterThan(0);
        expect(p.health.failures, p.job).toBe(0);
        expect(typeof p.withinTarget).toBe('boolean');
      }
      const [refit, , surface, exported, recalibrated] = r.phases;
      expect(refit!.outcome.details['models']).toBeGreaterThan(0);
      expect(surface!.outcome.details['ok']).toBeGreaterThan(0);
      // 10 boxes × 1 day of minute readings and their station's 24 hours, every row exported.
      expect(exported!.outcome.details).toMatchObject({ status: 200, rows: 10 * 1440 + 24 });
      expect(recalibrated!.outcome.details).toMatchObject({ exit: 0, updated: 10 * 3 * 1440 });
      expect(r.saturated.load.acked).toBeGreaterThan(0);
      expect(r.saturated.health.failures).toBe(0);
    },
  );
});
