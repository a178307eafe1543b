import { join } from 'node:path';
import {
  createSimWorld,
  Fleet,
  TruthWriter,
  worldSource,
  type FleetProgress,
} from '@airbox/firmware-sim';
import type { DeviceStore } from '@airbox/registry';
import { indoorBoxIds, SIM_REFERENCE_ACCOUNT, simCredentials } from './sim-credentials.ts';

/**
 * The demo of `airbox serve --demo`: the fleet simulator against this server. First the
 * last `historyHours` are simulated as fast as the server acknowledges (so the map, charts
 * and calibration have days to show at once, reference hours included), then the same
 * world goes on in real time. Truth goes to `<dataDir>/demo-truth.csv` for measuring
 * calibration and interpolation error.
 */
export interface DemoFleet {
  devices: number;
  /** Settles once the history is in; the live fleet runs from then on. */
  history: Promise<FleetProgress>;
  truthFile: string;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** Where the fleet's logins are issued; the broker must take them before they resolve. */
  registry: DeviceStore;
  broker: { host: string; port: number };
  devices: number;
  dataDir: string;
  historyHours: number;
  seed?: number;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}

/** Real time one tick of the history fleet spends making readings (Fleet tickBudgetMs). */
const DEMO_TICK_BUDGET_MS = 20;

export async function startDemoFleet(o: DemoOptions): Promise<DemoFleet> {
  const historyMs = o.historyHours * 3600_000;
  // Whole minutes, so the live fleet's reports continue on the history's schedule.
  const startMs = Math.floor((o.now() - historyMs) / 60_000) * 60_000;
  const common = await demoFleetBase(o, startMs);
  const truth = new TruthWriter(join(o.dataDir, 'demo-truth.csv'));
  let live: Fleet | null = null;
  let stopped = false;
  const past = new Fleet({
    ...common,
    speed: 'max',
    // The fleet shares serve's event loop with the broker and the API: 20 ms of readings a
    // tick, then the loop is theirs for as long.
    tickBudgetMs: DEMO_TICK_BUDGET_MS,
    startMs,
    durationMs: historyMs,
    truth,
    onProgress: (p) => o.log('demo-history', { ...p }),
    progressMs: 5000,
  }).start();
  const history = past.done.then((p) => {
    if (!stopped) live = startLive(common, startMs + historyMs, truth.path, o.log);
    return p;
  });
  return {
    devices: common.source.boxes.length,
    history,
    truthFile: truth.path,
    async stop() {
      stopped = true;
      await past.stop();
      await live?.stop();
    },
  };
}

/** The demo's world, its boxes and stations registered: what both fleets share. */
async function demoFleetBase(o: DemoOptions, startMs: number) {
  const world = createSimWorld({ seed: o.seed ?? 1, boxes: o.devices, startMs });
  const source = worldSource(world);
  // Registered where the world puts them: indoor boxes are hidden on the map by default and
  // left out of the surface, as a real network's would be.
  const creds = await simCredentials(
    o.registry,
    [...source.boxes.map((b) => b.deviceId), SIM_REFERENCE_ACCOUNT],
    indoorBoxIds(source.boxes),
  );
  return {
    source,
    broker: o.broker,
    credentials: (id: string) => creds.get(id) ?? null,
    service: creds.get(SIM_REFERENCE_ACCOUNT) ?? null,
    format: 'native' as const,
  };
}

/** The same world in real time from where the history ended, its truth appended. */
function startLive(
  common: Awaited<ReturnType<typeof demoFleetBase>>,
  liveStartMs: number,
  truthPath: string,
  log: DemoOptions['log'],
): Fleet {
  return new Fleet({
    ...common,
    speed: 1,
    startMs: liveStartMs,
    durationMs: null,
    truth: new TruthWriter(truthPath, { append: true }),
    onProgress: (q) => log('demo-live', { ...q }),
    progressMs: 60_000,
  }).start();
}
