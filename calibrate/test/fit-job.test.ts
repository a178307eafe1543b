import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CalibrationError,
  openModelRegistry,
  refit,
  registryProvider,
  startRefitSchedule,
  type ModelRegistry,
  type RefitResult,
} from '../src/index.ts';
import {
  BANQIAO,
  boxReadings,
  DAY_MS,
  HOUR_MS,
  offset,
  stationReadings,
  T0_MS,
  truthUgM3,
  TUCHENG,
  WANHUA,
  type BoxSpec,
} from './store-fixture.ts';

const HOURS = 14 * 24;
const PER_HOUR = 12; // one reading every 5 minutes keeps 14 days of 4 boxes small
const STEP_HOUR = 252; // day 10.5

const STATIONS = [
  { ...BANQIAO, index: 0 },
  { ...TUCHENG, index: 1 },
  { ...WANHUA, index: 2 },
];

function boxes(gainOfA: BoxSpec['gain']): BoxSpec[] {
  const common = { perHour: PER_HOUR };
  return [
    {
      ...common,
      deviceId: 'box-A',
      ...offset(BANQIAO, 250, 0),
      index: 0,
      gain: gainOfA,
      offsetUgM3: 2,
      seed: 1,
    },
    {
      ...common,
      deviceId: 'box-B',
      ...offset(TUCHENG, -300, 200),
      index: 1,
      gain: 1.6,
      offsetUgM3: 1,
      seed: 2,
    },
    {
      ...common,
      deviceId: 'box-C',
      ...offset(WANHUA, 150, 150),
      index: 2,
      gain: 1.3,
      offsetUgM3: 3,
      seed: 3,
    },
    // 2 km from Banqiao: not co-located, but in its county (新北市).
    {
      ...common,
      deviceId: 'box-F',
      ...offset(BANQIAO, 0, -2000),
      index: 0,
      gain: 1.5,
      offsetUgM3: 1.5,
      seed: 4,
    },
  ];
}

async function storeWith(gainOfA: BoxSpec['gain']): Promise<SqliteStore> {
  const store = openSqliteStore({ path: ':memory:' });
  for (const s of STATIONS) await store.write(stationReadings(s, 0, HOURS));
  for (const b of boxes(gainOfA)) await store.write(boxReadings(b, 0, HOURS));
  return store;
}

const options = { expectedReadingsPerHour: PER_HOUR };
const DAY7 = T0_MS + 7 * DAY_MS;
const DAY14 = T0_MS + 14 * DAY_MS;

let steady: SqliteStore;
let drifting: SqliteStore;
beforeAll(async () => {
  steady = await storeWith(1.4);
  drifting = await storeWith((h) => (h < STEP_HOUR ? 1.4 : 1.9));
});
afterAll(async () => {
  await steady.close();
  await drifting.close();
});

let dir: ReturnType<typeof tempDir>;
let registry: ModelRegistry;
beforeEach(() => {
  dir = tempDir('refit');
  registry = openModelRegistry({ dataDir: dir.path });
});
afterEach(() => {
  registry.close();
  dir.remove();
});

describe('refit over a 7-day window', () => {
  let result: RefitResult;
  beforeEach(async () => {
    result = await refit(registry, steady, { ...options, now: DAY7 });
  });

  it('fits and activates a model per co-located box, per county and one global', () => {
    expect(result.window).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-08T00:00:00.000Z',
    });
    expect(result.pairing.pairs).toBe(3 * 7 * 24);
    expect(result.pairing.notColocated).toEqual(['box-F']);
    const scopes = result.models.map((m) => `${m.scope} ${m.scopeKey}`).sort();
    expect(scopes).toEqual([
      'device box-A',
      'device box-B',
      'device box-C',
      'global ',
      'region 新北市',
      'region 臺北市',
    ]);
    expect(
      registry
        .active()
        .map((m) => m.id)
        .sort(),
    ).toEqual(result.models.map((m) => m.id).sort());
    for (const m of result.models) {
      expect(Object.values(m.params).every(Number.isFinite), m.id).toBe(true);
      expect(m.trainedTo).toBe('2026-03-08T00:00:00.000Z');
    }
  });

  it('scores a box by a time holdout and a county of several boxes by leave-one-site-out', () => {
    const a = result.models.find((m) => m.scopeKey === 'box-A');
    const region = result.models.find((m) => m.scopeKey === '新北市');
    expect(a?.metrics?.validation).toBe('holdout-last-third');
    expect(a?.metrics?.validated?.rmseUgM3).toBeLessThan(1);
    expect(region?.metrics?.validation).toBe('leave-one-site-out');
    expect(region?.sites.sort()).toEqual(['box-A', 'box-B']);
    expect(registry.pairs({ sites: ['box-A'] })).toHaveLength(7 * 24);
  });

  it('calibrates the box that is not co-located with its county model', () => {
    const atMs = DAY7 + 2 * HOUR_MS;
    const { provider, stop } = registryProvider(registry, { now: () => atMs });
    const hour = (atMs - T0_MS) / HOUR_MS;
    const f = boxReadings(boxes(1.4)[3]!, hour, hour + 1)[0]!;
    const model = provider(f);
    expect(model.id).toBe(result.models.find((m) => m.scopeKey === '新北市')?.id);
    // Raw is 1.5 × truth + 1.5; the county model (boxes at gains 1.4 and 1.6) gets close.
    const truth = truthUgM3(hour, 0);
    expect(Math.abs((model.apply(f) ?? 0) - truth)).toBeLessThan(0.1 * truth);
    const a = boxReadings(boxes(1.4)[0]!, hour, hour + 1)[0]!;
    expect(provider(a).id).toMatch(/\/device\/box-A\/1$/);
    expect(Math.abs((provider(a).apply(a) ?? 0) - truthUgM3(hour, 0))).toBeLessThan(1);
    stop();
  });
});

describe('drift detection across daily refits', () => {
  it('records a drift event for the box whose gain jumped mid-window, and no other', async () => {
    await refit(registry, drifting, { ...options, now: DAY7 });
    const second = await refit(registry, drifting, { ...options, now: DAY14 });
    expect(second.drift.map((d) => d.deviceId)).toEqual(['box-A']);
    const [event] = registry.driftEvents();
    expect(event).toMatchObject({
      deviceId: 'box-A',
      previousModel: expect.stringMatching(/box-A\/1$/),
    });
    expect(event?.residualSlopeUgM3PerDay).toBeGreaterThan(0.5);
    expect(event?.newModel).toMatch(/box-A\/2$/);
  });

  it('records none when the boxes did not change', async () => {
    await refit(registry, steady, { ...options, now: DAY7 });
    const second = await refit(registry, steady, { ...options, now: DAY14 });
    expect(second.drift).toEqual([]);
    expect(registry.driftEvents()).toEqual([]);
    expect(second.models.filter((m) => m.seq === 2)).toHaveLength(6);
  });
});

describe('bad input', () => {
  async function codeOf(run: Promise<unknown>): Promise<string> {
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CalibrationError);
    return (error as CalibrationError).code;
  }

  it('an empty store, an empty window, a silent station: coded errors and no model', async () => {
    const empty = openSqliteStore({ path: ':memory:' });
    expect(await codeOf(refit(registry, empty, { now: DAY7 }))).toBe('no-colocations');
    await empty.write(boxReadings(boxes(1.4)[0]!, 0, 24));
    expect(await codeOf(refit(registry, empty, { ...options, now: T0_MS + DAY_MS }))).toBe(
      'station-without-data',
    );
    expect(await codeOf(refit(registry, steady, { ...options, now: T0_MS }))).toBe('empty-window');
    expect(await codeOf(refit(registry, steady, { ...options, now: DAY7, windowDays: 0 }))).toBe(
      'invalid-option',
    );
    expect(registry.list()).toEqual([]);
    await empty.close();
  });

  it('too few pairs for any scope: an error naming each scope, and nothing stored', async () => {
    const run = refit(registry, steady, { ...options, now: DAY7, minPairs: 10_000 });
    expect(await codeOf(run)).toBe('too-few-points');
    await expect(run).rejects.toThrow(/device box-A: 168 pairs/);
    expect(registry.list()).toEqual([]);
  });
});

describe('startRefitSchedule', () => {
  it('refits at start and reports the result; a run due while one is going is not doubled', async () => {
    const results: RefitResult[] = [];
    const schedule = startRefitSchedule(registry, steady, {
      ...options,
      now: () => DAY7,
      onResult: (r) => results.push(r),
    });
    const [a, b] = await Promise.all([schedule.runNow(), schedule.runNow()]);
    schedule.stop();
    expect(a).toBe(b);
    expect(results).toHaveLength(1);
    expect(registry.active()).toHaveLength(6);
  });

  it('refits through an injected runRefit (a worker thread in serve), with the window end', async () => {
    const calls: number[] = [];
    const runs: { durationMs: number }[] = [];
    const result = await refit(registry, steady, { ...options, now: DAY7 });
    const schedule = startRefitSchedule(registry, steady, {
      now: () => DAY7,
      runAtStart: false,
      runRefit: async (nowMs) => {
        calls.push(nowMs);
        return result;
      },
      onResult: (_r, run) => runs.push(run),
    });
    expect(await schedule.runNow()).toBe(result);
    schedule.stop();
    expect(calls).toEqual([DAY7]);
    expect(runs).toEqual([{ durationMs: expect.any(Number) }]);
  });
});
