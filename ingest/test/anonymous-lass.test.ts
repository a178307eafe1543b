import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { startSystem, type SystemOptions, type TestSystem } from './system.ts';
import {
  ALL_TIME,
  closedWithin,
  connackCode,
  connect,
  lassLine,
  publishOutcome,
} from './clients.ts';

/**
 * --allow-anonymous-lass lets legacy LASS boxes in without credentials; it must not let
 * anyone write as, or knock off, a registered box, nor put thousands of made-up boxes on
 * the map. Real broker, real sockets on 127.0.0.1.
 */
const systems: TestSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.close();
});

async function system(opts: SystemOptions = {}) {
  const sys = await startSystem({ allowAnonymousLass: true, ...opts });
  systems.push(sys);
  return sys;
}

const reading = (pm25UgM3: number) =>
  JSON.stringify({ time: '2026-11-27T09:00:00Z', lat: 25.04, lon: 121.53, pm25UgM3 });

/** The registered box `victim01`, connected, with one reading of 10 µg/m³ stored. */
async function victim(sys: TestSystem) {
  const creds = await sys.devices.add({ deviceId: 'victim01' });
  const box = await connect(sys.mqttUrl, { ...creds, clientId: 'victim01' });
  expect(await publishOutcome(box, nativeTopic('victim01', 'reading'), reading(10))).toBe('acked');
  return box;
}

describe('anonymous LASS publishers and registered boxes', () => {
  it.each([['LASS/Test/PM25'], ['LASS/Test/PM25/victim01']])(
    'an anonymous LASS line naming a registered box on %s is refused, not stored as it',
    async (topic) => {
      const sys = await system();
      const box = await victim(sys);
      const anon = await connect(sys.mqttUrl, { clientId: 'anon-writer' });
      const line = lassLine('victim01', 999, '09:01:00');
      expect(await publishOutcome(anon, topic, line)).toBe('closed');
      anon.end(true);
      const stored = await sys.store.series({ deviceIds: ['victim01'], ...ALL_TIME });
      expect(stored.map((r) => r.pm25UgM3)).toEqual([10]);
      const letter = (await sys.store.deadLetters({ limit: 10 })).find((l) => l.topic === topic);
      expect(letter).toMatchObject({ code: 'not-authorized', clientId: 'anon-writer' });
      expect(letter!.reason).toMatch(/registered device victim01/);
      await box.endAsync();
    },
  );

  it('an anonymous LASS box assigned to an owner goes on publishing without credentials', async () => {
    const sys = await system();
    // What the API does when an organisation adopts a legacy box (POST /api/v1/transfer).
    await sys.devices.add({ deviceId: 'LASS42', anonymousLass: true });
    const anon = await connect(sys.mqttUrl, { clientId: 'LASS42' });
    expect(await publishOutcome(anon, 'LASS/Test/PM25', lassLine('LASS42', 17))).toBe('acked');
    await anon.endAsync();
    const stored = await sys.store.series({ deviceIds: ['LASS42'], ...ALL_TIME });
    expect(stored.map((r) => r.pm25UgM3)).toEqual([17]);
  });

  it("an anonymous CONNECT with a registered box's id is refused (CONNACK 2); the box stays on", async () => {
    const sys = await system();
    const box = await victim(sys);
    expect(await connackCode(sys.mqttUrl, { clientId: 'victim01' })).toBe(2);
    expect(await closedWithin(box, 500)).toBe(false);
    expect(await publishOutcome(box, nativeTopic('victim01', 'status'), '{"online":true}')).toBe(
      'acked',
    );
    await box.endAsync();
  });

  it('an anonymous CONNECT with a client id in use is refused (CONNACK 2); the first stays on', async () => {
    const sys = await system();
    const first = await connect(sys.mqttUrl, { clientId: 'lass-box-7' });
    expect(await connackCode(sys.mqttUrl, { clientId: 'lass-box-7' })).toBe(2);
    expect(await closedWithin(first, 500)).toBe(false);
    expect(await publishOutcome(first, 'LASS/Test/PM25', lassLine('LASS7', 12))).toBe('acked');
    await first.endAsync();
  });

  it('at most N anonymous clients are connected (CONNACK 3 past it); boxes that log in still are', async () => {
    const sys = await system({ maxAnonymousConnections: 3 });
    const anons = [];
    for (let i = 0; i < 3; i++) anons.push(await connect(sys.mqttUrl, { clientId: `anon-${i}` }));
    expect(await connackCode(sys.mqttUrl, { clientId: 'anon-3' })).toBe(3);
    expect(sys.broker.tracked.anonymousConnections).toBe(3);
    const creds = await sys.devices.add({ deviceId: 'logged-in-box' });
    expect(await connackCode(sys.mqttUrl, { ...creds, clientId: 'logged-in-box' })).toBe(0);
    await anons.pop()!.endAsync();
    await expect.poll(() => sys.broker.tracked.anonymousConnections).toBe(2);
    expect(await connackCode(sys.mqttUrl, { clientId: 'anon-4' })).toBe(0);
    for (const a of anons) await a.endAsync();
  });

  it('a reconnect loop making up device_ids puts no more than the per-minute budget on the map', async () => {
    const sys = await system({ anonymousIdsPerMinute: 20 });
    const ids = Array.from({ length: 100 }, (_, i) => `FAKE${String(i).padStart(3, '0')}`);
    const outcomes = [];
    for (const id of ids) {
      const anon = await connect(sys.mqttUrl, { clientId: `loop-${id}` });
      outcomes.push(await publishOutcome(anon, 'LASS/Test/PM25', lassLine(id, 50)));
      anon.end(true);
    }
    const stored = await sys.store.latest({ deviceIds: ids });
    // A burst of 20, plus what the budget refills (20 a minute) while the loop runs.
    expect(stored.length).toBeGreaterThanOrEqual(20);
    expect(stored.length).toBeLessThanOrEqual(22);
    expect(outcomes.filter((o) => o === 'acked')).toHaveLength(stored.length);
    const letter = (await sys.store.deadLetters({ limit: 200 })).find(
      (l) => l.code === 'rate-limited',
    );
    expect(letter?.reason).toMatch(/new anonymous device_ids a minute/);
    // A box already heard from is not new: it still gets in.
    const again = await connect(sys.mqttUrl, { clientId: 'loop-again' });
    expect(await publishOutcome(again, 'LASS/Test/PM25', lassLine(ids[0]!, 51, '09:01:00'))).toBe(
      'acked',
    );
    await again.endAsync();
    expect(sys.broker.tracked.anonymousDevices).toBe(stored.length);
  });
});
