import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { waitFor } from '@airbox/testkit';
import {
  createSimWorld,
  Fleet,
  worldSource,
  type BoxObservation,
  type Link,
  type LinkFactory,
  type FleetProgress,
  type FleetSource,
  type SimBox,
} from '@airbox/firmware-sim';
import { observe, startIngest, type IngestSystem } from './system.ts';

const START = Date.parse('2026-11-20T00:00:00Z');
const MIN = 60_000;

/** A value per (box, sample time) that a reader can recompute: 5 + box + minute of day % 13. */
const pmAt = (box: SimBox, t: number) => 5 + box.index + (Math.floor(t / MIN) % 13);

function observation(pm25: number): BoxObservation {
  return {
    pm1Cf1: pm25,
    pm25Cf1: pm25,
    pm10Cf1: pm25 * 2,
    pm1Atm: pm25,
    pm25Atm: pm25,
    pm10Atm: pm25 * 2,
    counts: { gt03um: 900, gt05um: 300, gt10um: 60, gt25um: 5, gt50um: 1, gt100um: 0 },
    temperatureC: 25,
    humidityPct: 70,
    fault: null,
  };
}

/** Box 0 loses Wi-Fi from minute 10 to minute 20; box 1's clock is an hour fast. */
function scriptedSource(boxes: number): FleetSource {
  const list: SimBox[] = Array.from({ length: boxes }, (_, i) => ({
    index: i,
    deviceId: `fleet-${i}`,
    lat: 25 + i / 100,
    lon: 121.5,
    indoor: false,
  }));
  return {
    boxes: list,
    observe: (box, t) => observation(pmAt(box, t)),
    online: (box, t) => !(box.index === 0 && t >= START + 10 * MIN && t < START + 20 * MIN),
    readingTimeMs: (box, t) => t + (box.index === 1 ? 3600_000 : 0),
    phased: true,
    truth: () => null,
    stations: [
      { siteId: '1', deviceId: 'EPA-Keelung', lat: 25.129167, lon: 121.760056 },
      { siteId: '2', deviceId: 'EPA-Xizhi', lat: 25.065669, lon: 121.6408 },
    ],
    referenceHour: (s, hourStartMs) => ({
      pm25UgM3: Number(s.siteId) * 10 + new Date(hourStartMs).getUTCHours(),
      pm10UgM3: null,
    }),
  };
}

describe('the fleet runtime against our real broker', () => {
  let system: IngestSystem;
  beforeAll(async () => {
    system = await startIngest();
  });
  afterAll(async () => {
    await system?.close();
  });

  it('delivers every report exactly once with its own time, backfilling an outage, and publishes the reference hours', async () => {
    const source = scriptedSource(5);
    const creds = new Map(
      (await system.devices.issueMany(source.boxes.map((b) => b.deviceId))).map((c) => [
        c.deviceId,
        c,
      ]),
    );
    const service = await system.devices.add({ deviceId: 'sim-reference', role: 'service' });
    const watcher = await observe(system, 'fleet-0');
    const progress: FleetProgress[] = [];
    const fleet = new Fleet({
      source,
      broker: { host: '127.0.0.1', port: system.port },
      credentials: (id) => creds.get(id) ?? null,
      service,
      format: 'native',
      speed: 240, // four simulated minutes per real second: the outage spans ~2.5 s
      startMs: START,
      durationMs: 62 * MIN, // past 01:00, so the stations publish hour 00
      onProgress: (p) => progress.push(p),
      progressMs: 500,
    }).start();
    const final = await fleet.done;
    expect(final.done).toBe(true);
    expect(final.readingsMade).toBe(5 * 62);
    expect(final.readingsAcked).toBe(5 * 62);
    expect(final.outagesStarted).toBe(1);
    expect(progress.some((p) => p.inOutage === 1)).toBe(true);

    for (const box of source.boxes) {
      const stored = await system.stored(box.deviceId);
      expect(stored, box.deviceId).toHaveLength(62);
      const offsetMs = box.index === 1 ? 3600_000 : 0;
      const times = stored.map((r) => Date.parse(r.time) - offsetMs);
      // One report a minute at the box's phase: consecutive times are exactly 60 s apart.
      expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual(Array(61).fill(MIN));
      for (const r of stored) {
        const reportMs = Date.parse(r.time) - offsetMs;
        // Five samples over the minute through the PMS5003 frame code; trimmed mean.
        const samples = [4, 3, 2, 1, 0].map((k) => pmAt(box, reportMs - (k * MIN) / 5));
        samples.sort((a, b) => a - b);
        const mean = samples.slice(1, -1).reduce((a, b) => a + b, 0) / 3;
        expect(r.pm25UgM3).toBeCloseTo(mean, 2);
        expect(r.firmware).toBe('sim-0.1.0');
      }
    }
    // The outage really dropped the connection: the broker published box 0's will.
    await waitFor('the will of fleet-0', () => watcher.statuses.some((s) => !s.online), 5000);
    expect(watcher.dataTopics).toContain(nativeTopic('fleet-0', 'batch'));
    await watcher.close();

    const reference = await system.store.latest({ kind: 'reference' });
    expect(reference.map((r) => r.deviceId).sort()).toEqual(['EPA-Keelung', 'EPA-Xizhi']);
    const keelung = await system.stored('EPA-Keelung');
    expect(keelung.map((r) => [r.time, r.pm25UgM3])).toEqual([['2026-11-20T00:00:00.000Z', 10]]);
    expect(await system.store.deadLetters()).toEqual([]);
  }, 90_000);

  it('refuses reference readings from a device login and keeps them as dead letters', async () => {
    const creds = await system.devices.add({ deviceId: 'not-a-station' });
    const source: FleetSource = {
      ...scriptedSource(0),
      stations: [{ siteId: '9', deviceId: 'not-a-station', lat: 25, lon: 121 }],
    };
    const fleet = new Fleet({
      source,
      broker: { host: '127.0.0.1', port: system.port },
      credentials: () => null,
      service: creds,
      format: 'native',
      speed: 'max',
      startMs: START,
      durationMs: 60 * MIN,
    }).start();
    await waitFor('a dead letter', async () => (await system.store.deadLetters()).length > 0);
    await fleet.stop();
    const [letter] = await system.store.deadLetters();
    expect(letter?.code).toBe('not-authorized');
    expect(letter?.reason).toMatch(/only service accounts/);
    expect(await system.stored('not-a-station')).toEqual([]);
  });
});

describe('an anonymous LASS fleet (airbox sim --format lass against --allow-anonymous-lass)', () => {
  let system: IngestSystem;
  beforeAll(async () => {
    system = await startIngest({ allowAnonymousLass: true });
  });
  afterAll(async () => {
    await system?.close();
  });

  // It used to add a native status topic and will, which an anonymous client may not publish:
  // each box was refused and disconnected on connect, reconnected, and nothing was stored.
  it('publishes only what a LASS box publishes, and every box is stored', async () => {
    const boxes = 40;
    const fleet = new Fleet({
      source: scriptedSource(boxes),
      broker: { host: '127.0.0.1', port: system.port },
      credentials: () => null,
      service: null,
      format: 'lass',
      speed: 'max',
      startMs: START,
      durationMs: 5 * MIN,
    }).start();
    const final = await fleet.done;
    expect(final.connectionsLost).toBe(0);
    expect(final.readingsAcked).toBe(boxes * 5);
    for (const box of scriptedSource(boxes).boxes) {
      expect(await system.stored(box.deviceId), box.deviceId).toHaveLength(5);
    }
    expect(await system.store.deadLetters()).toEqual([]);
  }, 60_000);
});

/** An in-memory broker connection that acknowledges at once and records every payload. */
function recordingLinks(sink: string[]): LinkFactory {
  return (opts) => {
    const link: Link = {
      state: 'open',
      inFlight: 0,
      publish(topic, payload) {
        if (!topic.endsWith('/status')) sink.push(`${opts.clientId} ${topic} ${payload}`);
        return Promise.resolve();
      },
      end: () => undefined,
      drop: () => undefined,
    };
    return Promise.resolve(link);
  };
}

async function runWorld(seed: number): Promise<string[]> {
  const sink: string[] = [];
  const world = createSimWorld({ seed, boxes: 30, startMs: START });
  const fleet = new Fleet({
    source: worldSource(world),
    broker: { host: '127.0.0.1', port: 1 },
    credentials: () => null,
    service: { username: 'svc', password: 'x' },
    format: 'native',
    speed: 'max',
    startMs: START,
    durationMs: 3 * 3600_000,
    connect: recordingLinks(sink),
  }).start();
  await fleet.done;
  // Batching depends on timing; the readings themselves must not.
  const readings = sink.flatMap((line) => {
    const [client, topic, payload] = line.split(' ');
    const body: unknown = JSON.parse(payload!);
    const list = Array.isArray(body) ? body : [body];
    return list.map((r) => `${client} ${topic!.replace(/batch$/, 'reading')} ${JSON.stringify(r)}`);
  });
  return readings.sort();
}

describe('the simulated fleet is deterministic', () => {
  it('gives the same readings for the same seed, and others for another seed', async () => {
    const a = await runWorld(7);
    const b = await runWorld(7);
    const c = await runWorld(8);
    expect(a.length).toBeGreaterThan(30 * 3 * 60 * 0.9); // some boxes may have fan failures
    expect(a.some((l) => l.includes('"kind":"reference"'))).toBe(true);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });
});

describe('a fleet sharing its event loop (tickBudgetMs, as serve --demo runs it)', () => {
  it('makes a tick’s worth of readings at a time, and every one of them in the end', async () => {
    const options = {
      source: worldSource(createSimWorld({ seed: 3, boxes: 30, startMs: START })),
      broker: { host: '127.0.0.1', port: 1 },
      credentials: () => null,
      service: { username: 'svc', password: 'x' },
      format: 'native' as const,
      speed: 'max' as const,
      startMs: START,
      durationMs: 3 * 3600_000,
      connect: recordingLinks([]),
    };
    // Without a budget the first tick makes all the window allows: 30 boxes × 3 h here.
    const unbounded = new Fleet(options).start();
    expect(unbounded.progress.readingsMade).toBe(30 * 180);
    await unbounded.done;
    // With one, 20 ms of readings at the first guess of their cost (0.05 ms each): ~400.
    const bounded = new Fleet({ ...options, tickBudgetMs: 20 }).start();
    expect(bounded.progress.readingsMade).toBeLessThan(450);
    expect((await bounded.done).readingsMade).toBe(30 * 180);
  }, 60_000);
});
