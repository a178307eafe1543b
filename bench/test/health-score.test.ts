import { describe, expect, it } from 'vitest';
import { addScores, scoreFleet, type HealthScore } from '../src/health/score.ts';
import { simFleet } from '../src/health/sim-fleet.ts';

/**
 * The health engine against the simulator's truth, on two small fleets with faults switched
 * on (the full table over more seeds and boxes is `airbox bench health`). Fails when a
 * detector stops finding what it should, or starts raising false alarms.
 */
describe('health detection on simulated fleets', () => {
  let total: HealthScore | null = null;
  for (const seed of [11, 12]) {
    const s = scoreFleet(simFleet({ seed, boxes: 200, days: 16 }), 6, 48);
    total = total === null ? s : addScores(total, s);
  }
  const score = total as HealthScore;

  it.each(['stuck', 'zero', 'indoor-like'] as const)(
    'finds %s boxes with precision and recall of at least 0.9',
    (code) => {
      const s = score.codes[code];
      expect(s.tp + s.fn, `${code}: positives to score`).toBeGreaterThan(20);
      expect(s.precision, `${code} precision`).toBeGreaterThanOrEqual(0.9);
      expect(s.recall, `${code} recall`).toBeGreaterThanOrEqual(0.9);
    },
  );

  it('finds most drifting boxes it can judge, and is mostly right when it says so', () => {
    // The target is 0.8 for both, not reached yet: `airbox bench health` measures
    // ~0.77 precision and ~0.75 recall over the boxes with 3 neighbours within 8 km (the
    // others cannot be judged), so this guards against it getting worse.
    const s = score.codes.drift;
    expect(s.tp + s.fn, 'drift positives to score').toBeGreaterThan(10);
    expect(s.precision, 'drift precision').toBeGreaterThanOrEqual(0.65);
    expect(s.recallJudged, 'drift recall over judgeable boxes').toBeGreaterThanOrEqual(0.6);
  });

  it('leaves almost every box without a simulated fault ok', () => {
    expect(score.cleanOkShare).toBeGreaterThanOrEqual(0.98);
  });
});
