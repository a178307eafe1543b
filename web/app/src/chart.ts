import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** CSS colour of the line. */
  stroke: string;
  points: { timeMs: number; value: number | null }[];
  dash?: number[];
}

/**
 * uPlot wants columnar data on one shared x axis (its "aligned data" format): the union of
 * every series' times, with null where a series has no point. Station series are hourly and
 * box series per minute, so most cells are null; spanGaps draws each line through them.
 */
export function alignSeries(series: ChartSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.timeMs)))].sort(
    (a, b) => a - b,
  );
  const index = new Map(times.map((t, i) => [t, i] as const));
  const columns = series.map((s) => {
    const column: (number | null)[] = times.map(() => null);
    for (const p of s.points) column[index.get(p.timeMs) ?? 0] = p.value;
    return column;
  });
  return [times.map((t) => t / 1000), ...columns];
}

export interface Chart {
  update(series: ChartSeries[]): void;
  /** The newest non-null value of series `i`, with its time (for tests and labels). */
  lastPoint(i: number): { timeMs: number; value: number } | null;
  resize(width: number, height: number): void;
  destroy(): void;
}

/** A fixed time window for the x axis, re-read at every redraw (it moves with the clock). */
export interface TimeWindow {
  fromMs: () => number;
  toMs: () => number;
}

/** The x axis: time, over the window when one is given. */
function xScale(window: TimeWindow | undefined): uPlot.Scale {
  return window === undefined
    ? { time: true }
    : {
        time: true,
        // A box whose clock runs a little ahead still shows its newest point.
        range: (_u, _min, dataMax) => [
          window.fromMs() / 1000,
          Math.max(window.toMs() / 1000, dataMax ?? 0),
        ],
      };
}

function plotOptions(
  size: { width: number; height: number },
  series: ChartSeries[],
  yLabel: string,
  x: uPlot.Scale,
): uPlot.Options {
  return {
    width: size.width,
    height: size.height,
    // PM2.5 is never negative; 0 at the bottom keeps a clean day from looking dramatic.
    scales: { x, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
    axes: [{}, { label: yLabel }],
    series: [
      {},
      ...series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        width: 2,
        dash: s.dash,
        spanGaps: true,
      })),
    ],
    legend: { show: true },
  };
}

/** The newest non-null value of series `i` in aligned data, with its time. */
function lastPointOf(data: uPlot.AlignedData, i: number) {
  const xs = data[0];
  const ys = data[i + 1];
  if (ys === undefined) return null;
  for (let k = ys.length - 1; k >= 0; k--) {
    const y = ys[k];
    const x = xs[k];
    if (y !== null && y !== undefined && x !== undefined) return { timeMs: x * 1000, value: y };
  }
  return null;
}

export function createChart(
  target: HTMLElement,
  size: { width: number; height: number },
  series: ChartSeries[],
  yLabel: string,
  window?: TimeWindow,
): Chart {
  let data = alignSeries(series);
  const plot = new uPlot(plotOptions(size, series, yLabel, xScale(window)), data, target);
  return {
    update: (next) => {
      data = alignSeries(next);
      plot.setData(data);
    },
    lastPoint: (i) => lastPointOf(data, i),
    resize: (width, height) => plot.setSize({ width, height }),
    destroy: () => plot.destroy(),
  };
}
