import { describe, expect, it } from 'vitest';
import { evaluateHealth } from '../src/index.ts';
import { box, cluster, GRID } from './fleet.ts';

const healthOf = (fleet: ReturnType<typeof cluster>, id: string) =>
  evaluateHealth({ grid: GRID, boxes: fleet }, { slow: false }).find((d) => d.deviceId === id)
    ?.health;

/** Adds a plume of `riseUgM3` to the last `hours` hours of the boxes. */
function plume(fleet: ReturnType<typeof cluster>, indexes: number[], riseUgM3: number, hours = 3) {
  for (const i of indexes) {
    const b = box(fleet, i);
    for (let h = GRID.hours - hours; h < GRID.hours; h++) b.pm25[h] = (b.pm25[h] ?? 0) + riseUgM3;
  }
}

describe('a plume against one box rising alone', () => {
  it('leaves a box ok when several neighbours rise with it: an event in the air', () => {
    const fleet = cluster(12);
    plume(fleet, [0, 1, 4, 5], 90);
    const h = healthOf(fleet, 'box-0');
    expect(h?.status).toBe('ok');
    expect(h?.confidence).toBe(1);
  });

  it('makes a box rising alone suspect, with the neighbours named in the reason', () => {
    const fleet = cluster(12);
    plume(fleet, [0], 90);
    const h = healthOf(fleet, 'box-0');
    expect(h?.status).toBe('suspect');
    expect(h?.problems.map((p) => p.code)).toContain('neighbour-outlier');
    expect(h?.problems[0]?.detail).toMatch(/neighbours within/);
    expect(h?.confidence).toBeLessThan(0.5);
    // Its neighbours are not dragged along: the median ignores the one box.
    expect(healthOf(fleet, 'box-1')?.status).toBe('ok');
  });

  it('finds repeated short peaks no neighbour saw as spikes (a kitchen beside the box)', () => {
    const fleet = cluster(12);
    const b = box(fleet, 3);
    for (const h of [GRID.hours - 20, GRID.hours - 8]) b.pm25[h] = (b.pm25[h] ?? 0) + 80;
    const h = healthOf(fleet, 'box-3');
    expect(h?.problems.map((p) => p.code)).toEqual(['spikes']);
  });
});
