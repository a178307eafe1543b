import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { startSystem, type TestSystem } from './system.ts';
import { connect, publishOutcome } from './clients.ts';

/**
 * Retained messages are kept by the broker and replayed to every subscriber: a box may
 * retain only its own status, small. Real broker, real sockets on 127.0.0.1.
 */
const systems: TestSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.close();
});

async function system() {
  const sys = await startSystem({ allowAnonymousLass: true });
  systems.push(sys);
  return sys;
}

/** What a service subscribing to `filter` now is replayed within 500 ms. */
async function replayed(sys: TestSystem, filter: string): Promise<string[]> {
  const svc = await sys.devices.add({
    deviceId: `watcher-${Math.random().toString(36).slice(2, 8)}`,
    role: 'service',
  });
  const watcher = await connect(sys.mqttUrl, { ...svc, clientId: svc.deviceId });
  const seen: string[] = [];
  watcher.on('message', (topic, _p, packet) => {
    if (packet.retain) seen.push(topic);
  });
  await watcher.subscribeAsync(filter, { qos: 1 });
  await new Promise((r) => setTimeout(r, 500));
  await watcher.endAsync();
  return seen;
}

describe('retained messages', () => {
  it('a box retaining on a LASS topic is refused, and nothing is kept to replay', async () => {
    const sys = await system();
    const creds = await sys.devices.add({ deviceId: 'retainer' });
    const junk = 'x'.repeat(60 * 1024);
    for (let i = 0; i < 3; i++) {
      const box = await connect(sys.mqttUrl, { ...creds, clientId: 'retainer' });
      const topic = `LASS/AirBox/junk-${i}`;
      expect(await publishOutcome(box, topic, junk, { retain: true })).toBe('closed');
      box.end(true);
    }
    expect(await replayed(sys, 'LASS/#')).toEqual([]);
    const letters = await sys.store.deadLetters({ limit: 10 });
    expect(letters[0]).toMatchObject({ code: 'retain-not-allowed', clientId: 'retainer' });
  });

  it('an anonymous box may not retain either', async () => {
    const sys = await system();
    const anon = await connect(sys.mqttUrl, { clientId: 'anon-retainer' });
    expect(await publishOutcome(anon, 'LASS/AirBox/x', 'hello', { retain: true })).toBe('closed');
    anon.end(true);
    expect(await replayed(sys, 'LASS/#')).toEqual([]);
  });

  it("a box's own status is retained up to 4 KiB; a larger one is refused", async () => {
    const sys = await system();
    const creds = await sys.devices.add({ deviceId: 'status-box' });
    const topic = nativeTopic('status-box', 'status');
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'status-box' });
    expect(await publishOutcome(box, topic, '{"online":true}', { retain: true })).toBe('acked');
    const big = JSON.stringify({ online: true, note: 'x'.repeat(5000) });
    expect(await publishOutcome(box, topic, big, { retain: true })).toBe('closed');
    box.end(true);
    expect(await replayed(sys, topic)).toEqual([topic]);
    const letter = (await sys.store.deadLetters({ limit: 10 })).find((l) => l.topic === topic);
    expect(letter).toMatchObject({ code: 'payload-too-large' });
  });
});
