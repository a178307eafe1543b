import { join } from 'node:path';
import {
  createSimWorld,
  Fleet,
  TruthWriter,
  worldSource,
  type FleetProgress,
} from '@airbox/firmware-sim';
import type { DeviceRegistry } from '@airbox/ingest';
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
  registry: DeviceRegistry;
  broker: { host: string; port: number };
  devices: number;
  dataDir: string;
  historyHours: number;
  seed?: number;
  now: () => number;
  log: (event: string, fields: Record<string, unknown>) => void;
}

export function startDemoFleet(o: DemoOptions): DemoFleet {
  const nowMs = o.now();
  const historyMs = o.historyHours * 3600_000;
  // Whole minutes, so the live fleet's reports continue on the history's schedule.
  const startMs = Math.floor((nowMs - historyMs) / 60_000) * 60_000;
  const liveStartMs = startMs + historyMs;
  const world = createSimWorld({ seed: o.seed ?? 1, boxes: o.devices, startMs });
  const source = worldSource(world);
  // Registered where the world puts them: indoor boxes are hidden on the map by default and
  // left out of the surface, as a real network's would be.
  const creds = simCredentials(
    o.registry,
    [...source.boxes.map((b) => b.deviceId), SIM_REFERENCE_ACCOUNT],
    indoorBoxIds(source.boxes),
  );
  const truth = new TruthWriter(join(o.dataDir, 'demo-truth.csv'));
  const common = {
    source,
    broker: o.broker,
    credentials: (id: string) => creds.get(id) ?? null,
    service: creds.get(SIM_REFERENCE_ACCOUNT) ?? null,
    format: 'native' as const,
  };
  let live: Fleet | null = null;
  let stopped = false;
  const past = new Fleet({
    ...common,
    speed: 'max',
    startMs,
    durationMs: historyMs,
    truth,
    onProgress: (p) => o.log('demo-history', { ...p }),
    progressMs: 5000,
  }).start();
  const history = past.done.then((p) => {
    if (!stopped) {
      live = new Fleet({
        ...common,
        speed: 1,
        startMs: liveStartMs,
        durationMs: null,
        truth: new TruthWriter(truth.path, { append: true }),
        onProgress: (q) => o.log('demo-live', { ...q }),
        progressMs: 60_000,
      }).start();
    }
    return p;
  });
  return {
    devices: source.boxes.length,
    history,
    truthFile: truth.path,
    async stop() {
      stopped = true;
      await past.stop();
      await live?.stop();
    },
  };
}
