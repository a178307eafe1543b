import type { Reading } from '@airbox/contracts';
import { tempDir } from '@airbox/testkit';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  openModelRegistry,
  registryProvider,
  type ModelRegistry,
  type NewModel,
  type RegistryProvider,
} from '../src/index.ts';
import { BANQIAO, DAY_MS, offset } from './store-fixture.ts';

const TRAINED_TO_MS = Date.UTC(2026, 2, 8);

function reading(overrides: Partial<Reading> = {}): Reading {
  return {
    deviceId: 'box-A',
    time: '2026-03-08T01:00:00Z',
    ...offset(BANQIAO, 200, 0),
    pm1UgM3: null,
    pm25UgM3: 30,
    pm10UgM3: null,
    temperatureC: 25,
    humidityPct: 60,
    format: 'native-v1',
    app: null,
    firmware: null,
    flags: [],
    kind: 'box',
    ...overrides,
  };
}

function linearModel(scope: NewModel['scope'], scopeKey: string, slope: number): NewModel {
  return {
    method: 'linear@1',
    scope,
    scopeKey,
    params: { slope, interceptUgM3: 0 },
    trainedFromMs: TRAINED_TO_MS - 7 * DAY_MS,
    trainedToMs: TRAINED_TO_MS,
    sites: [scopeKey],
    metrics: null,
  };
}

describe('registryProvider', () => {
  let dir: ReturnType<typeof tempDir>;
  let registry: ModelRegistry;
  let nowMs: number;
  let running: RegistryProvider[];
  const start = (pollMs = 10_000) => {
    const p = registryProvider(registry, { pollMs, now: () => nowMs });
    running.push(p);
    return p;
  };
  const addActive = (m: NewModel) => registry.activate(registry.add(m).id);

  beforeEach(() => {
    dir = tempDir('provider');
    registry = openModelRegistry({ dataDir: dir.path });
    nowMs = TRAINED_TO_MS + DAY_MS;
    running = [];
  });
  afterEach(() => {
    for (const p of running) p.stop();
    registry.close();
    dir.remove();
  });

  it('falls back device → region → global → EPA → identity as models go stale or missing', () => {
    const device = addActive(linearModel('device', 'box-A', 0.5));
    const region = addActive(linearModel('region', '新北市', 0.6));
    const global = addActive(linearModel('global', '', 0.7));
    const { provider } = start();
    const r = reading();
    expect([provider(r).id, provider(r).apply(r)]).toEqual([device.id, 15]);
    // Another box in the same county, no model of its own.
    expect(provider(reading({ deviceId: 'box-Z' })).id).toBe(region.id);
    // A box far from every station belongs to no region.
    expect(provider(reading({ deviceId: 'box-Z', lat: 0, lon: 0 })).id).toBe(global.id);
    expect(provider(reading({ deviceId: 'box-Z', lat: null, lon: null })).id).toBe(global.id);

    nowMs = TRAINED_TO_MS + 4 * DAY_MS; // every fitted model is now older than 3 days
    expect(provider(r).id).toBe('epa-barkjohn-2021@1');
    expect(provider(r).apply(r)).toBeCloseTo(0.524 * 30 - 0.0862 * 60 + 5.75, 10);
    const noRh = reading({ humidityPct: null });
    expect([provider(noRh).id, provider(noRh).apply(noRh)]).toEqual(['identity', 30]);
  });

  it('skips a fresh model that cannot calibrate the reading, to the next that can', () => {
    const multilinear = addActive({
      ...linearModel('device', 'box-A', 0),
      method: 'multilinear@1',
      params: {
        rawCoefficient: 0.5,
        rhCoefficient: 0,
        temperatureCoefficient: 0,
        interceptUgM3: 1,
      },
    });
    const region = addActive(linearModel('region', '新北市', 0.6));
    const { provider } = start();
    expect(provider(reading()).id).toBe(multilinear.id);
    expect(provider(reading({ temperatureC: null })).id).toBe(region.id);
  });

  it('with no model at all: EPA where RH is known, identity otherwise', () => {
    const { provider } = start();
    expect(provider(reading()).id).toBe('epa-barkjohn-2021@1');
    expect(provider(reading({ humidityPct: null })).id).toBe('identity');
  });

  it('hot-reloads: a model activated by another process changes id and value in place', async () => {
    const first = addActive(linearModel('device', 'box-A', 0.5));
    const { provider } = start(20);
    const r = reading();
    expect(provider(r).id).toBe(first.id);

    const other = openModelRegistry({ dataDir: dir.path }); // as `airbox calibrate activate`
    const second = other.activate(other.add(linearModel('device', 'box-A', 0.8)).id);
    other.close();
    await vi.waitFor(() => expect(provider(r).id).toBe(second.id), { timeout: 2000 });
    expect(provider(r).apply(r)).toBe(24);

    registry.activate(first.id); // and back, through the provider's own connection
    await vi.waitFor(() => expect(provider(r).id).toBe(first.id), { timeout: 2000 });
    expect(provider(r).apply(r)).toBe(15);
  });

  it('keeps calibrating when an active model cannot be rebuilt, and says which', () => {
    addActive(linearModel('region', '新北市', 0.6));
    const device = addActive(linearModel('device', 'box-A', 0.5));
    // A hand edit (or a newer airbox) left a method this version does not know.
    const db = new Database(registry.path);
    db.prepare("UPDATE models SET method = 'future@9' WHERE id = ?").run(device.id);
    db.close();
    const p = start();
    expect(p.provider(reading()).id).toMatch(/^linear@1\/region\//);
    expect(p.errors()).toEqual([{ id: device.id, message: expect.stringContaining('future@9') }]);
  });
});
