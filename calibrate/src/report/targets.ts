import type { EPA_PM25_TARGETS, Metrics } from '../validate.ts';

export type Targets = typeof EPA_PM25_TARGETS;

/** One EPA target: its rule as text, and the test of it. */
export interface TargetRule {
  id: 'slope' | 'intercept' | 'r2' | 'error';
  label: string;
  rule: string;
  met(m: Metrics): boolean;
}

/**
 * The EPA PM2.5 targets one by one (checkTargets in validate.ts lists only the failures):
 * the same rules, so "every one passes" here is exactly `meetsTargets` there.
 */
export function targetRules(t: Targets): TargetRule[] {
  return [
    {
      id: 'slope',
      label: 'slope',
      rule: `${t.slope.min}–${t.slope.max}`,
      met: (m) => m.slope >= t.slope.min && m.slope <= t.slope.max,
    },
    {
      id: 'intercept',
      label: 'intercept',
      rule: `${t.interceptUgM3.min}…${t.interceptUgM3.max} µg/m³`,
      met: (m) => m.interceptUgM3 >= t.interceptUgM3.min && m.interceptUgM3 <= t.interceptUgM3.max,
    },
    { id: 'r2', label: 'R²', rule: `≥ ${t.r2Min.toFixed(2)}`, met: (m) => m.r2 >= t.r2Min },
    {
      id: 'error',
      label: 'error',
      rule: `RMSE ≤ ${t.rmseMaxUgM3} µg/m³ or NRMSE ≤ ${t.nrmseMaxPct} %`,
      met: (m) =>
        m.rmseUgM3 <= t.rmseMaxUgM3 || (m.nrmsePct !== null && m.nrmsePct <= t.nrmseMaxPct),
    },
  ];
}
