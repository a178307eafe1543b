import { join } from 'node:path';
import type { NativeReading } from '@airbox/protocol';
import { waitFor } from '@airbox/testkit';
import {
  Device,
  DeviceConfigSchema,
  ManualClock,
  type Clock,
  type DeviceConfigInput,
  type PmSample,
} from '@airbox/firmware-sim';
import type { IngestSystem } from './system.ts';

/**
 * One device on a manual clock, with a virtual PMS5003 and T/RH sensor, publishing to
 * `brokerUrl` with credentials from the registry. `produce(n)` moves the clock on sample by
 * sample until `n` more readings are safely in the offline buffer.
 */
export interface DeviceHarness {
  device: Device;
  clock: ManualClock;
  /** Every reading the device made, in order, as it went into the buffer. */
  produced: NativeReading[];
  bufferDir: string;
  produce(n: number): Promise<void>;
  /** Stops the device (as a reboot would) and starts a new one on the same buffer. */
  restart(brokerUrl?: string): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  system: IngestSystem;
  deviceId: string;
  brokerUrl: string;
  maxReadings?: number;
  config?: Partial<DeviceConfigInput>;
}

/** Six hours ago, on a whole minute: readings are in the past, as a backlog's are. */
const startMs = () => Math.floor((Date.now() - 6 * 3_600_000) / 60_000) * 60_000;

export async function startDeviceHarness(options: HarnessOptions): Promise<DeviceHarness> {
  const { system, deviceId } = options;
  const credentials = await system.devices.add({ deviceId });
  const bufferDir = join(system.dir, `buffer-${deviceId}`);
  const manual = new ManualClock(startMs());
  // The device's view of the manual clock, noting when each armed timer falls due, so that
  // `produce` can move time to exactly the next sample however the interval changes.
  const dueMs = new Set<{ dueMs: number }>();
  const clock: Clock = {
    nowMs: () => manual.nowMs(),
    setTimer(callback, delayMs) {
      const timer = { dueMs: manual.nowMs() + Math.max(0, delayMs) };
      dueMs.add(timer);
      const cancel = manual.setTimer(() => {
        dueMs.delete(timer);
        callback();
      }, delayMs);
      return () => {
        dueMs.delete(timer);
        cancel();
      };
    },
  };
  const produced: NativeReading[] = [];
  let sample = 0;
  // A fan-driven sensor: values wander, so every reading differs from its neighbours.
  const pm = (): PmSample => {
    const pm25UgM3 = 8 + ((sample++ * 7) % 23);
    return { pm1UgM3: pm25UgM3 - 3, pm25UgM3, pm10UgM3: pm25UgM3 + 6 };
  };
  const climate = () => ({ temperatureC: 24 + (sample % 5) / 10, humidityPct: 70 });
  const start = (brokerUrl: string) =>
    Device.start({
      config: DeviceConfigSchema.parse({
        deviceId,
        broker: { url: brokerUrl, username: credentials.username, password: credentials.password },
        buffer: { dir: bufferDir, maxReadings: options.maxReadings ?? 1000 },
        ...options.config,
      }),
      sources: { pm, climate },
      clock,
      // Redial fast; pace far above what a test sends so no pacing timer joins the clock.
      publisher: {
        reconnectPeriodMs: 100,
        connectTimeoutMs: 2000,
        maxMessagesPerS: 100_000,
        burstMessages: 100,
        stopTimeoutMs: 500,
      },
      onReading: (r) => produced.push(r),
    });
  const harness: DeviceHarness = {
    device: await start(options.brokerUrl),
    clock: manual,
    produced,
    bufferDir,
    async produce(n) {
      const target = produced.length + n;
      for (;;) {
        // The sampler arms its next timer only after the last report is in the buffer.
        await waitFor('the sampler to wait for its next sample', () => dueMs.size > 0, 5000, 1);
        if (produced.length >= target) return;
        manual.advanceMs(Math.min(...[...dueMs].map((t) => t.dueMs)) - manual.nowMs());
      }
    },
    async restart(brokerUrl = options.brokerUrl) {
      await harness.device.stop();
      harness.device = await start(brokerUrl);
    },
    async close() {
      await harness.device.stop();
    },
  };
  return harness;
}

/** `time|pm25` of each reading: what must arrive, exactly once, with its original time. */
export function keys(readings: readonly { time: string | null; pm25UgM3?: number | null }[]) {
  return readings.map((r) => `${new Date(r.time ?? 0).toISOString()}|${r.pm25UgM3}`);
}
