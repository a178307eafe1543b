import { html, type SafeHtml } from '@airbox/html';
import { px } from './format.ts';

/** One plot's data: x = reference, y = sensor (the EPA convention, validate.ts). */
export interface ScatterInput {
  title: string;
  yLabel: string;
  points: readonly (readonly [refUgM3: number, sensorUgM3: number])[];
  /** OLS of sensor on reference, drawn across the plot; null when it could not be fitted. */
  fit: { slope: number; interceptUgM3: number } | null;
  /** Shared by every plot of a report, so they compare at a glance. */
  axis: Axis;
}

export interface Axis {
  minUgM3: number;
  maxUgM3: number;
  ticks: number[];
}

const SIZE = 300;
const MARGIN = { left: 46, right: 10, top: 10, bottom: 40 };
const PLOT = SIZE - MARGIN.left - MARGIN.right;

/** A 1, 2 or 5 × 10^k step giving about five ticks from min to max. */
function niceStep(span: number): number {
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

/** The square axis every plot shares: from ≤ 0 to the largest value, on round ticks. */
export function axisFor(values: readonly number[]): Axis {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(1, ...finite);
  const step = niceStep(hi - lo);
  const minUgM3 = Math.floor(lo / step) * step;
  const maxUgM3 = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = minUgM3; v <= maxUgM3 + step / 2; v += step) ticks.push(Number(v.toPrecision(12)));
  return { minUgM3, maxUgM3, ticks };
}

/**
 * The part of y = slope · x + intercept inside the square [min, max]², or null when the
 * line misses it: drawn as a segment, so no clip path (and no document-wide id) is needed.
 */
export function clipLine(
  slope: number,
  intercept: number,
  min: number,
  max: number,
): [number, number, number, number] | null {
  let x1 = min;
  let x2 = max;
  if (slope !== 0) {
    const xAt = (y: number) => (y - intercept) / slope;
    const [a, b] = slope > 0 ? [xAt(min), xAt(max)] : [xAt(max), xAt(min)];
    x1 = Math.max(x1, a);
    x2 = Math.min(x2, b);
  } else if (intercept < min || intercept > max) {
    return null;
  }
  if (!(x1 < x2)) return null;
  return [x1, slope * x1 + intercept, x2, slope * x2 + intercept];
}

/** A value in µg/m³ to an SVG coordinate. */
type ToPx = (v: number) => string;

/** The grid lines and tick labels of both axes. */
function gridAndTicks(ticks: readonly number[], min: number, max: number, x: ToPx, y: ToPx) {
  const tickY = px(MARGIN.top + PLOT + 14);
  const tickX = px(MARGIN.left - 4);
  return ticks.map((t) => {
    const lines = html`<line class="grid" x1="${x(t)}" y1="${y(min)}" x2="${x(t)}" y2="${y(max)}" />
      <line class="grid" x1="${x(min)}" y1="${y(t)}" x2="${x(max)}" y2="${y(t)}" />`;
    const xTick = html`<text class="tick" x="${x(t)}" y="${tickY}" text-anchor="middle"
      >${t}</text
    >`;
    const yTick = html`<text class="tick" x="${tickX}" y="${px(Number(y(t)) + 4)}" text-anchor="end"
      >${t}</text
    >`;
    return [lines, xTick, yTick];
  });
}

/** The fit line, clipped to the plot; nothing when it does not cross it. */
function fitLineOf(input: ScatterInput, min: number, max: number, x: ToPx, y: ToPx) {
  const segment = input.fit && clipLine(input.fit.slope, input.fit.interceptUgM3, min, max);
  return segment
    ? html`<line
        class="fit"
        x1="${x(segment[0])}"
        y1="${y(segment[1])}"
        x2="${x(segment[2])}"
        y2="${y(segment[3])}"
      />`
    : '';
}

/** An inline SVG scatter plot with the 1:1 line and the fit line; no script, no font file. */
export function scatterSvg(input: ScatterInput): SafeHtml {
  const { minUgM3: min, maxUgM3: max, ticks } = input.axis;
  const x = (v: number) => px(MARGIN.left + ((v - min) / (max - min)) * PLOT);
  const y = (v: number) => px(MARGIN.top + PLOT - ((v - min) / (max - min)) * PLOT);
  const grid = gridAndTicks(ticks, min, max, x, y);
  const fitLine = fitLineOf(input, min, max, x, y);
  const dots = input.points.map(
    ([ref, sensor]) => html`<circle cx="${x(ref)}" cy="${y(sensor)}" r="2" />`,
  );
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    viewBox="0 0 ${SIZE} ${SIZE}"
    width="${SIZE}"
    height="${SIZE}"
    role="img"
    aria-label="${input.title}"
  >
    <title>${input.title}</title>
    ${grid}
    <rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT}" height="${PLOT}" />
    <g class="points">${dots}</g>
    <line class="one-to-one" x1="${x(min)}" y1="${y(min)}" x2="${x(max)}" y2="${y(max)}" />
    ${fitLine}
    <text class="label" x="${px(MARGIN.left + PLOT / 2)}" y="${px(SIZE - 6)}" text-anchor="middle">
      reference PM2.5 (µg/m³)
    </text>
    <text
      class="label"
      transform="translate(12 ${px(MARGIN.top + PLOT / 2)}) rotate(-90)"
      text-anchor="middle"
    >
      ${input.yLabel}
    </text>
  </svg>`;
}
