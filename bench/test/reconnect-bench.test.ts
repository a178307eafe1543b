import { describe, expect, it } from 'vitest';
import { AIRBOX_BIN, requirePostgres } from '@airbox/testkit';
import { runReconnectBench } from '../src/reconnect-bench.ts';
import { describeReconnect } from '../src/reconnect/describe.ts';
import type { RegistryKind } from '../src/reconnect/registry.ts';

const BOXES = 200;
// '' when Debian's postgresql is installed, else why the PostgreSQL case skips (CI: throws).
const noPostgres = await requirePostgres();

/**
 * `airbox bench reconnect`, small: the same code as the 15,000-box run. It checks that every
 * box was answered, accepted and counted, before and after the broker's restart; how fast is
 * the benchmark's to measure, not this test's.
 */
async function smoke(kind: RegistryKind) {
  const r = await runReconnectBench({
    airbox: [process.execPath, AIRBOX_BIN],
    boxes: BOXES,
    registries: [kind],
    progress: () => {},
  });
  expect(r.runs.map((run) => run.registry)).toEqual([kind]);
  const run = r.runs[0]!;
  for (const phase of [run.fresh, run.restart]) {
    expect(phase).toMatchObject({ boxes: BOXES, accepted: BOXES, refused: 0, failed: 0 });
    expect(phase.refusedByCode).toEqual({});
    expect(phase.failedByReason).toEqual({});
    expect(phase.lastConnackMs).toBeGreaterThanOrEqual(phase.p99ConnackMs);
    expect(phase.brokerRssBytes).toBeGreaterThan(0);
  }
  const text = describeReconnect(r);
  expect(text).toMatch(new RegExp(`^ +${kind} +fresh +`, 'm'));
  expect(text).toMatch(new RegExp(`^ +${kind} +restart +`, 'm'));
}

describe('airbox bench reconnect, small', () => {
  it.skipIf(noPostgres)(
    `${BOXES} boxes on a PostgreSQL registry: all CONNACKed, none refused, before and after a restart ${noPostgres}`,
    { timeout: 120_000 },
    () => smoke('postgres'),
  );

  it(
    `${BOXES} boxes on a SQLite registry: all CONNACKed, none refused, before and after a restart`,
    { timeout: 120_000 },
    () => smoke('sqlite'),
  );
});
