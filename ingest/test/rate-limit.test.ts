import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { startSystem, type TestSystem } from './system.ts';
import { ALL_TIME, connect, publishOutcome } from './clients.ts';

/**
 * The per-device rate limit holds across connections: reconnecting must not refill it.
 * Real broker, real sockets on 127.0.0.1.
 */
const systems: TestSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.close();
});

const reading = (i: number) =>
  JSON.stringify({ time: new Date(Date.UTC(2026, 10, 27) + i * 1000).toISOString(), pm25UgM3: 9 });

describe('rate limit per device', () => {
  it('10 connections one after another get one bucket, not ten', async () => {
    const sys = await startSystem({ ratePerS: 5, rateBurst: 20 });
    systems.push(sys);
    const creds = await sys.devices.add({ deviceId: 'hasty' });
    const startMs = Date.now();
    let sent = 0;
    for (let c = 0; c < 10; c++) {
      const box = await connect(sys.mqttUrl, { ...creds, clientId: 'hasty' });
      const outcomes = await Promise.all(
        Array.from({ length: 30 }, () =>
          publishOutcome(box, nativeTopic('hasty', 'reading'), reading(sent++)),
        ),
      );
      box.end(true);
      expect(outcomes).toContain('closed'); // every connection runs into the limit
    }
    const elapsedS = (Date.now() - startMs) / 1000;
    const stored = await sys.store.series({ deviceIds: ['hasty'], ...ALL_TIME });
    // The burst, and what 5/s refills while the loop runs; not 10 × 20.
    expect(stored.length).toBeLessThanOrEqual(20 + Math.ceil(5 * elapsedS));
    expect(sys.broker.tracked.rateLimitedDevices).toBe(1);
  });
});
