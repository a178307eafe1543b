import { html, type SafeHtml } from '@airbox/html';
import { CalibrationError } from '../errors.ts';
import type { EvalReport, FileSummary } from '../eval.ts';
import type { Pair } from '../types.ts';
import { checkTargets, computeMetrics, type Metrics } from '../validate.ts';
import { methodSection, type MethodContext } from './method.ts';
import { metricsTable, type MetricsRow } from './metrics-table.ts';
import { axisFor } from './scatter.ts';
import { STYLES } from './styles.ts';

export interface ReportInput {
  /** From `evaluate(train, test, METHODS, { predictions: true })`: the plots need the pairs. */
  report: EvalReport;
  title?: string;
  /** Where the pairs come from, in a sentence or two (plain text). */
  description?: string;
  /** When the report was made (ISO 8601), passed in so the same input gives the same file. */
  generatedAt?: string;
}

const DEFAULT_TITLE = 'PM2.5 sensor calibration report';

/** Raw against reference; null where metrics are undefined (too few pairs, flat reference). */
function rawMetricsOf(pairs: readonly Pair[]): Metrics | null {
  try {
    return computeMetrics(
      pairs.map((p) => p.rawPm25UgM3),
      pairs.map((p) => p.refPm25UgM3),
    );
  } catch (e) {
    if (e instanceof CalibrationError) return null;
    throw e;
  }
}

function fileRow(role: string, f: FileSummary): SafeHtml {
  return html`<tr>
    <td>${role}</td>
    <td>${f.file}</td>
    <td>${f.format}</td>
    <td>${f.pairs}</td>
    <td>${f.rows}</td>
    <td>${f.skippedRows}</td>
    <td>${f.sites}</td>
  </tr>`;
}

function dataSet(input: ReportInput, pairs: readonly Pair[], raw: Metrics | null): SafeHtml {
  const { train, test, targets } = input.report;
  const testSites = [...new Set(pairs.map((p) => p.site))];
  const rawRow: MetricsRow = {
    stage: 'raw',
    label: 'raw sensor',
    // The raw sensor is not a candidate: its verdicts show how far off it starts.
    scored: raw === null ? null : { metrics: raw, meetsTargets: checkTargets(raw, targets).met },
    missing: 'too few or constant pairs for metrics',
  };
  const sites = testSites.map((s, i) => html`${i > 0 ? ', ' : ''}<span class="site">${s}</span>`);
  return html`<h2>Data set</h2>
    ${input.description ? html`<p>${input.description}</p>` : ''}
    <table class="files">
      <thead>
        <tr>
          <th></th>
          <th>file</th>
          <th>format</th>
          <th>pairs</th>
          <th>rows</th>
          <th>skipped rows</th>
          <th>sites</th>
        </tr>
      </thead>
      <tbody>
        ${fileRow('train (fit, cross-validation)', train)}${fileRow('test (scoring only)', test)}
      </tbody>
    </table>
    <p>Test sites: ${sites}</p>
    <p class="note">
      Each pair is one averaging period at one site: the sensor's mean and the reference monitor's
      mean. Methods are fitted on the train file, scored on the test file, and cross-validated by
      leaving one site out of the train file. Targets: ${targets.source}; they are defined for
      24-hour means.
    </p>
    <h3>Before calibration: raw sensor against the reference, test file</h3>
    ${metricsTable([rawRow], targets)}`;
}

function pickedBox(report: EvalReport): SafeHtml {
  const { picked } = report;
  const method = report.methods.find((m) => m.id === picked.id);
  return html`<div class="picked${picked.fallback ? ' fallback' : ''}" data-picked="${picked.id}">
    <strong>Picked: ${method?.name ?? picked.id} <code>${picked.id}</code></strong
    >${picked.fallback ? ' (fallback)' : ''}
    <p>Why: ${picked.reason}.</p>
    <p class="note">
      The pick looks only at leave-one-site-out results on the train file, never at the test file.
    </p>
  </div>`;
}

/**
 * One self-contained HTML file: inline style, inline SVG, no script and nothing fetched, so
 * it opens offline and can be mailed or archived beside the model it documents. Every
 * string from the input is escaped (html.ts).
 */
export function renderReport(input: ReportInput): string {
  const { report } = input;
  const pairs = report.testPairs;
  if (pairs === undefined) {
    throw new TypeError(
      'renderReport: the report has no test pairs; make it with evaluate(train, test, METHODS, { predictions: true })',
    );
  }
  const raw = rawMetricsOf(pairs);
  const values = pairs.flatMap((p) => [p.rawPm25UgM3, p.refPm25UgM3]);
  for (const m of report.methods)
    for (const v of m.testCalibratedUgM3 ?? []) if (v !== null) values.push(v);
  const ctx: MethodContext = {
    testPairs: pairs,
    rawMetrics: raw,
    axis: axisFor(values),
    targets: report.targets,
    pickedId: report.picked.id,
  };
  const title = input.title ?? DEFAULT_TITLE;
  const page = html`<!DOCTYPE html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${STYLES}
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        <p class="meta">
          ${input.generatedAt ? `Generated ${input.generatedAt} · ` : ''}${report.methods.length}
          methods · ${report.train.pairs} train pairs · ${report.test.pairs} test pairs
        </p>
        ${pickedBox(report)} ${dataSet(input, pairs, raw)}
        ${report.methods.map((m) => methodSection(m, ctx))}
      </body>
    </html> `;
  return page.text;
}
