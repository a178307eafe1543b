/**
 * The calibration loop on the simulated demo, end to end through real parts: simulated boxes
 * and reference stations publish over MQTT into our broker; the worker stores them; a refit
 * pairs co-located boxes with stations and activates models; then the worker calibrates what
 * arrives next with them. Calibrated PM2.5 must be closer to the simulator's truth than raw,
 * for boxes beside a station and for boxes far from any.
 */
import { pm25Trusted } from '@airbox/contracts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openModelRegistry, refit, registryProvider } from '@airbox/calibrate';
import {
  createSimWorld,
  Fleet,
  TruthWriter,
  worldSource,
  type SimWorld,
} from '@airbox/firmware-sim';
import { loadReferenceStations } from '@airbox/geo';
import { startBroker, StreamWorker, type RunningBroker } from '@airbox/ingest';
import {
  RegistryView,
  openSqliteRegistry,
  refreshingDevices,
  type DeviceStore,
  type Registry,
} from '@airbox/registry';
import { openSqliteStore, type SqliteStore } from '@airbox/store';
import { tempDir } from '@airbox/testkit';
import { jsonLines, runCli } from './run.ts';

const HOUR = 3600_000;
const INTERVAL_MS = 10 * 60_000; // six readings an hour keeps the test to seconds
const TRAIN_DAYS = 4;

describe('calibration on the simulated network', () => {
  const dir = tempDir('calibration-demo');
  let store: SqliteStore;
  let registry: Registry;
  let view: RegistryView;
  let devices: DeviceStore;
  let broker: RunningBroker;
  let worker: StreamWorker;
  const models = openModelRegistry({ path: join(dir.path, 'calibration.sqlite') });
  const calibration = registryProvider(models, { pollMs: 60_000 });

  beforeAll(async () => {
    store = openSqliteStore({ path: join(dir.path, 'readings.db') });
    registry = await openSqliteRegistry(join(dir.path, 'devices.db'));
    view = await RegistryView.open(registry.devices);
    devices = refreshingDevices(registry.devices, view);
    worker = new StreamWorker({ store, calibration: calibration.provider });
    broker = await startBroker({
      registry: view,
      sink: worker,
      deadLetters: (l) => store.addDeadLetter(l),
      persistenceDir: null,
      allowAnonymousLass: false,
      maxPayloadBytes: 65_536,
      ratePerS: 1000,
      rateBurst: 10_000,
      host: '127.0.0.1',
      mqttPort: 0,
      wsPort: 0,
      tls: null,
    });
  });
  afterAll(async () => {
    calibration.stop();
    await broker?.close();
    await worker?.drain();
    await store?.close();
    view?.close();
    await registry?.close();
    models.close();
    dir.remove();
  });

  async function run(world: SimWorld, startMs: number, durationMs: number, truth?: TruthWriter) {
    const source = worldSource(world);
    const ids = [...source.boxes.map((b) => b.deviceId), 'sim-reference'];
    // Known ids rotated, new ones added: each run's fleet logs in afresh.
    const boxes = await devices.issueMany(ids.filter((id) => id !== 'sim-reference'));
    const [service] = await devices.issueMany(['sim-reference'], 'service');
    const creds = new Map([...boxes, service!].map((c) => [c.deviceId, c] as const));
    const fleet = new Fleet({
      source,
      broker: { host: '127.0.0.1', port: broker.ports.mqtt },
      credentials: (id) => creds.get(id) ?? null,
      service: creds.get('sim-reference') ?? null,
      format: 'native',
      speed: 'max',
      startMs,
      durationMs,
      intervalMs: INTERVAL_MS,
      truth,
    }).start();
    const done = await fleet.done;
    expect(done.readingsAcked).toBe(done.readingsMade);
  }

  it('brings co-located and distant boxes closer to the truth than raw', async () => {
    const nowMs = Date.now();
    const trainStart = Math.floor(nowMs / HOUR) * HOUR - (TRAIN_DAYS + 1) * 86_400_000;
    // Northern Taiwan's stations: two boxes beside each, and boxes over the island's cities.
    const stations = loadReferenceStations().slice(0, 12);
    const world = createSimWorld({ seed: 3, boxes: 60, startMs: trainStart }, { stations });

    await run(world, trainStart, TRAIN_DAYS * 86_400_000);
    const fitted = await refit(models, store, {
      now: trainStart + TRAIN_DAYS * 86_400_000,
      windowDays: TRAIN_DAYS,
      expectedReadingsPerHour: HOUR / INTERVAL_MS,
    });
    expect(fitted.models.length).toBeGreaterThan(3);
    calibration.reload();

    // The next day arrives after the refit: the worker calibrates it with the active models.
    const truthPath = join(dir.path, 'truth.csv');
    const evalStart = trainStart + TRAIN_DAYS * 86_400_000;
    await run(world, evalStart, 86_400_000, new TruthWriter(truthPath));

    const truth = new Map<string, number>();
    for (const line of readFileSync(truthPath, 'utf8').trim().split('\n').slice(1)) {
      const [id, time, indoor, pm25] = line.split(',');
      if (indoor === '0') truth.set(`${id} ${Date.parse(time!)}`, Number(pm25));
    }
    const spec = new Map(world.boxes.map((b) => [b.deviceId, b]));
    const errors = {
      colocated: { raw: [] as number[], cal: [] as number[] },
      distant: { raw: [] as number[], cal: [] as number[] },
    };
    const stored = await store.series({
      deviceIds: world.boxes.map((b) => b.deviceId),
      fromMs: evalStart,
      toMs: evalStart + 86_400_000,
    });
    const modelIds = new Set<string>();
    for (const r of stored) {
      const t = truth.get(`${r.deviceId} ${Date.parse(r.time)}`);
      if (t === undefined || r.pm25UgM3 === null || !pm25Trusted(r.flags)) continue;
      if (r.pm25CalibratedUgM3 === null || r.pm25CalibratedUgM3 === undefined) continue;
      modelIds.add(r.calibrationModel ?? '');
      const group = spec.get(r.deviceId)?.nearStationId ? errors.colocated : errors.distant;
      group.raw.push(r.pm25UgM3 - t);
      group.cal.push(r.pm25CalibratedUgM3 - t);
    }
    const rmse = (e: number[]) => Math.sqrt(e.reduce((s, x) => s + x * x, 0) / e.length);
    const report = Object.fromEntries(
      Object.entries(errors).map(([k, v]) => [
        k,
        {
          readings: v.raw.length,
          rawRmse: rmse(v.raw).toFixed(2),
          calibratedRmse: rmse(v.cal).toFixed(2),
        },
      ]),
    );
    console.log('calibration vs simulator truth (µg/m³):', JSON.stringify(report));
    console.log('models used:', [...modelIds].sort().join(', '));
    for (const group of Object.values(errors)) {
      expect(group.raw.length).toBeGreaterThan(500);
      expect(rmse(group.cal)).toBeLessThan(rmse(group.raw));
    }
    expect([...modelIds].some((id) => id.includes('/device/'))).toBe(true);

    // The same registry from the command line: what is active, the pairs, a roll-back.
    const active = await runCli(['calibrate', 'models', '--active', '--data-dir', dir.path]);
    expect(active.code).toBe(0);
    const activeIds = jsonLines(active.stdout).map((m) => m['id']);
    for (const id of modelIds) if (id !== 'identity') expect(activeIds).toContain(id);
    const pairs = await runCli(['calibrate', 'pairs', '--data-dir', dir.path]);
    expect(pairs.stdout.split('\n')[0]).toMatch(/^site,time,raw_pm25/);
    expect(pairs.stdout.trim().split('\n').length).toBeGreaterThan(fitted.pairing.pairs);
    const unknown = await runCli(['calibrate', 'activate', 'nope@1', '--data-dir', dir.path]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no model 'nope@1'/);
  }, 240_000);
});
