import { html, type SafeHtml } from '@airbox/html';
import type { Scored } from '../eval.ts';
import type { Metrics } from '../validate.ts';
import { DECIMALS, fixed, type ShownMetric } from './format.ts';
import { targetRules, type Targets } from './targets.ts';

/** Columns of the metrics table, in the order the EPA report lists them. */
const COLUMNS: { metric: ShownMetric; label: string }[] = [
  { metric: 'r2', label: 'R²' },
  { metric: 'rmseUgM3', label: 'RMSE µg/m³' },
  { metric: 'maeUgM3', label: 'MAE µg/m³' },
  { metric: 'nrmsePct', label: 'NRMSE %' },
  { metric: 'slope', label: 'slope' },
  { metric: 'interceptUgM3', label: 'intercept µg/m³' },
];

export interface MetricsRow {
  /** Machine-readable, for tests and scrapers: `test`, `loso`, `raw`. */
  stage: string;
  label: string;
  scored: Pick<Scored, 'metrics' | 'meetsTargets'> | null;
  /** Shown instead of numbers when there are none. */
  missing?: string;
}

/** The exact value in `data-value`, the rounded one as text: both readable, neither lost. */
function metricCell(metrics: Metrics, metric: ShownMetric): SafeHtml {
  const value = metrics[metric];
  return html`<td data-metric="${metric}" data-value="${value === null ? '' : String(value)}">
    ${fixed(value, DECIMALS[metric])}
  </td>`;
}

function passCell(pass: boolean, attribute: SafeHtml): SafeHtml {
  return html`<td class="${pass ? 'pass' : 'fail'}" ${attribute}>${pass ? 'pass' : 'fail'}</td>`;
}

function row(r: MetricsRow, targets: Targets): SafeHtml {
  if (r.scored === null) {
    const colspan = 1 + COLUMNS.length + targetRules(targets).length + 1;
    return html`<tr data-stage="${r.stage}">
      <td>${r.label}</td>
      <td colspan="${colspan}">${r.missing ?? 'not computed'}</td>
    </tr>`;
  }
  const { metrics, meetsTargets } = r.scored;
  const checks = targetRules(targets).map((t) =>
    passCell(t.met(metrics), html`data-target="${t.id}"`),
  );
  return html`<tr data-stage="${r.stage}">
    <td>${r.label}</td>
    <td data-metric="n" data-value="${metrics.n}">${metrics.n}</td>
    ${COLUMNS.map((c) => metricCell(metrics, c.metric))}${checks}${passCell(meetsTargets, html`data-target="all"`)}
  </tr>`;
}

/** One table: a row per stage, the metrics, then each EPA target as pass/fail. */
export function metricsTable(rows: MetricsRow[], targets: Targets): SafeHtml {
  const ruleHeads = targetRules(targets).map(
    (t) => html`<th title="${t.rule}">${t.label}<br /><small>${t.rule}</small></th>`,
  );
  return html`<table class="metrics">
    <thead>
      <tr>
        <th rowspan="2"></th>
        <th rowspan="2">n</th>
        ${COLUMNS.map((c) => html`<th rowspan="2">${c.label}</th>`)}
        <th colspan="${ruleHeads.length + 1}">EPA target</th>
      </tr>
      <tr>
        ${ruleHeads}
        <th>all</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map((r) => row(r, targets))}
    </tbody>
  </table>`;
}
