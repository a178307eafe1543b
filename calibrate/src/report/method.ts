import { html, type SafeHtml } from '@airbox/html';
import type { MethodReport } from '../eval.ts';
import type { Pair } from '../types.ts';
import type { Fold, Metrics } from '../validate.ts';
import { DECIMALS, fixed } from './format.ts';
import { metricsTable, type MetricsRow } from './metrics-table.ts';
import { scatterSvg, type Axis } from './scatter.ts';
import type { Targets } from './targets.ts';

export interface MethodContext {
  testPairs: readonly Pair[];
  /** Raw sensor against reference on the test file; null when it has no metrics. */
  rawMetrics: Metrics | null;
  axis: Axis;
  targets: Targets;
  pickedId: string;
}

const fitOf = (m: Metrics | null) =>
  m === null ? null : { slope: m.slope, interceptUgM3: m.interceptUgM3 };

const equation = (m: Metrics | null): string =>
  m === null
    ? 'no fit line (too few or constant values)'
    : `fit: y = ${fixed(m.slope, DECIMALS.slope)} x ${m.interceptUgM3 < 0 ? '−' : '+'} ${fixed(Math.abs(m.interceptUgM3), DECIMALS.interceptUgM3)}`;

function figure(svg: SafeHtml, caption: string, fit: Metrics | null): SafeHtml {
  return html`<figure>
    ${svg}
    <figcaption>
      ${caption}<br /><span class="key-1to1"></span> 1:1 ·
      <span class="key-fit"></span> ${equation(fit)}
    </figcaption>
  </figure>`;
}

/** Sensor vs reference before (raw) and after (this method), on the test pairs. */
function plots(method: MethodReport, ctx: MethodContext): SafeHtml {
  const calibrated = method.testCalibratedUgM3;
  if (calibrated === undefined || method.test === undefined) {
    return html`<p class="note">No plots: the method could not be fitted on the train file.</p>`;
  }
  const rawPoints = ctx.testPairs.map((p) => [p.refPm25UgM3, p.rawPm25UgM3] as const);
  const calibratedPoints = ctx.testPairs.flatMap((p, i) => {
    const value = calibrated[i];
    return value === null || value === undefined ? [] : [[p.refPm25UgM3, value] as const];
  });
  const before = scatterSvg({
    title: `Raw sensor vs reference, test file (${rawPoints.length} pairs)`,
    yLabel: 'sensor PM2.5, raw (µg/m³)',
    points: rawPoints,
    fit: fitOf(ctx.rawMetrics),
    axis: ctx.axis,
  });
  const after = scatterSvg({
    title: `${method.id} vs reference, test file (${calibratedPoints.length} pairs)`,
    yLabel: `sensor PM2.5, ${method.id} (µg/m³)`,
    points: calibratedPoints,
    fit: fitOf(method.test.metrics),
    axis: ctx.axis,
  });
  return html`<div class="plots">
    ${figure(before, `Before: raw, ${rawPoints.length} test pairs`, ctx.rawMetrics)}
    ${figure(after, `After: ${method.id}, ${calibratedPoints.length} test pairs`, method.test.metrics)}
  </div>`;
}

function foldsTable(folds: readonly Fold[]): SafeHtml {
  const rows = folds.map(
    (f) =>
      html`<tr>
        <td>${f.site}</td>
        <td>${f.n}</td>
        <td>${fixed(f.metrics?.r2 ?? null, DECIMALS.r2)}</td>
        <td>${fixed(f.metrics?.rmseUgM3 ?? null, DECIMALS.rmseUgM3)}</td>
        <td>${fixed(f.metrics?.slope ?? null, DECIMALS.slope)}</td>
        <td>${f.note ?? ''}</td>
      </tr>`,
  );
  return html`<details>
    <summary>Leave-one-site-out folds (${folds.length} sites)</summary>
    <table class="folds">
      <thead>
        <tr>
          <th>held-out site</th>
          <th>n</th>
          <th>R²</th>
          <th>RMSE µg/m³</th>
          <th>slope</th>
          <th>note</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </details>`;
}

function paramsList(params: MethodReport['params']): SafeHtml | string {
  if (params === undefined) return '';
  const items = Object.entries(params).map(
    ([name, value]) => html`<code>${name} = ${Number(value.toPrecision(6))}</code> `,
  );
  return html`<p>Parameters: ${items}</p>`;
}

export function methodSection(method: MethodReport, ctx: MethodContext): SafeHtml {
  const rows: MetricsRow[] = [
    {
      stage: 'test',
      label: 'test file, train-fitted',
      scored: method.test ?? null,
      missing: 'could not be fitted',
    },
    {
      stage: 'loso',
      label: 'leave-one-site-out, pooled',
      scored: method.loso ?? null,
      missing: 'could not be cross-validated',
    },
  ];
  const errors = (method.errors ?? []).map(
    (e) => html`<li>${e.stage}: ${e.message} (<code>${e.code}</code>)</li>`,
  );
  const picked = method.id === ctx.pickedId;
  return html`<section class="method${picked ? ' is-picked' : ''}" data-method="${method.id}">
    <h2>${method.name} <code>${method.id}</code></h2>
    <p class="meta">
      ${method.fitted ? 'Fitted on the train file' : 'Published constants, not fitted'} · source:
      ${method.source}
    </p>
    ${paramsList(method.params)}
    ${
      errors.length > 0
        ? html`<ul class="errors">
            ${errors}
          </ul>`
        : ''
    }
    ${metricsTable(rows, ctx.targets)}
    ${method.loso?.failedTargets.length ? html`<p class="note">Leave-one-site-out misses: ${method.loso.failedTargets.join('; ')}</p>` : ''}
    ${plots(method, ctx)} ${method.loso ? foldsTable(method.loso.folds) : ''}
  </section>`;
}
