/** Small hand-made fleets for the detectors' unit tests: boxes on a grid around Taipei. */
import { emptySeries, type BoxSeries, type HourGrid } from '../src/index.ts';

export const GRID: HourGrid = { startMs: Date.UTC(2026, 0, 1), hours: 72 };

/** The shared outdoor air at hour h: a daily cycle, µg/m³. */
export const air = (h: number) => 20 + 8 * Math.sin((2 * Math.PI * h) / 24);
export const outdoorT = (h: number) => 22 + 4 * Math.sin((2 * Math.PI * (h - 8)) / 24);

/** `n` outdoor boxes ~300 m apart, each reading the air × its own small gain, with noise. */
export function cluster(n: number, grid: HourGrid = GRID): BoxSeries[] {
  return Array.from({ length: n }, (_, i) => {
    const box = emptySeries(
      {
        deviceId: `box-${i}`,
        lat: 25.03 + 0.003 * (i % 4),
        lon: 121.5 + 0.003 * Math.floor(i / 4),
        placement: 'outdoor',
      },
      grid,
    );
    const gain = 1 + 0.05 * Math.sin(i * 1.7);
    for (let h = 0; h < grid.hours; h++) {
      box.count[h] = 12;
      box.pm25[h] = gain * air(h) + Math.sin(i * 31 + h * 7) * 1.5;
      box.temperatureC[h] = outdoorT(h) + 0.1 * Math.sin(i + h);
      box.humidityPct[h] = 70 + 10 * Math.sin((2 * Math.PI * h) / 24);
    }
    return box;
  });
}

export function box(fleet: BoxSeries[], i: number): BoxSeries {
  const b = fleet[i];
  if (b === undefined) throw new Error(`no box ${i}`);
  return b;
}
