import type { SequencedRawMessage } from '@airbox/contracts';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { waitFor } from '@airbox/testkit';
import { RawBus } from '../src/index.ts';
import { startSystem, type TestSystem } from './system.ts';

/**
 * The broker's raw tap over real MQTT: every PUBLISH of a box reaches its watchers with the
 * payload as sent and what became of it — stored, dead-lettered or refused.
 */
let sys: TestSystem;
const bus = new RawBus({ recentPerDevice: 3 });
beforeAll(async () => {
  sys = await startSystem({
    maxPayloadBytes: 4096,
    allowAnonymousLass: true,
    rawTap: (m) => bus.publish(m),
  });
});
afterAll(async () => sys?.close());

async function device(id: string) {
  const creds = await sys.devices.add({ deviceId: id });
  return mqtt.connectAsync(sys.mqttUrl, {
    ...creds,
    clientId: id,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
}

function watch(id: string): SequencedRawMessage[] {
  const seen: SequencedRawMessage[] = [];
  bus.subscribe(id, (m) => seen.push(m));
  return seen;
}

describe('raw tap', () => {
  it('shows a stored reading, a dead letter and a status message as the box sent them', async () => {
    const seen = watch('tap-a');
    const other = watch('tap-b');
    const client = await device('tap-a');
    const reading = JSON.stringify({ time: '2026-11-27T09:00:00Z', pm25UgM3: 12 });
    await client.publishAsync(nativeTopic('tap-a', 'reading'), reading, { qos: 1 });
    await client.publishAsync(nativeTopic('tap-a', 'reading'), reading, { qos: 1 });
    await client.publishAsync(nativeTopic('tap-a', 'reading'), '{"pm25', { qos: 1 });
    await client.publishAsync(nativeTopic('tap-a', 'status'), '{"uptimeS":5}', { qos: 1 });
    await client.endAsync();
    await waitFor('the tapped messages', () => seen.length === 4);
    expect(seen.map((m) => [m.outcome, m.text])).toEqual([
      ['stored', reading],
      ['stored', reading],
      ['dead-letter', '{"pm25'],
      ['accepted', '{"uptimeS":5}'],
    ]);
    expect(seen[0]).toMatchObject({
      readings: 1,
      duplicates: 0,
      clientId: 'tap-a',
      bytes: reading.length,
    });
    expect(seen[1]).toMatchObject({ readings: 0, duplicates: 1 });
    expect(seen[2]).toMatchObject({ code: 'invalid-json' });
    expect(seen[2]!.reason).toMatch(/JSON/);
    expect(seen.map((m) => m.seq)).toEqual([...seen.map((m) => m.seq)].sort((a, b) => a - b));
    expect(other).toEqual([]);
    // A tail opened now starts from the last three.
    expect(bus.recentOf('tap-a').map((m) => m.outcome)).toEqual([
      'stored',
      'dead-letter',
      'accepted',
    ]);
    expect(bus.recentOf('tap-a', seen[2]!.seq)).toHaveLength(1);
  });

  it('shows refused messages with the refusal, and a large payload cut to its head', async () => {
    const seen = watch('tap-c');
    const client = await device('tap-c');
    const big = JSON.stringify({
      time: '2026-11-27T09:00:00Z',
      pm25UgM3: 1,
      note: 'x'.repeat(3000),
    });
    await client.publishAsync(nativeTopic('tap-c', 'reading'), big, { qos: 1 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    // Publishing the server-set config topic is refused and the connection closed.
    client.publish(nativeTopic('tap-c', 'config'), '{"intervalS":1}', { qos: 1 });
    await closed;
    client.end(true);
    await waitFor('the tapped messages', () => seen.length === 2);
    expect(seen[0]).toMatchObject({ bytes: big.length, truncated: true });
    expect(seen[0]!.text).toBe(big.slice(0, 2048));
    expect(seen[1]).toMatchObject({
      outcome: 'refused',
      code: 'not-authorized',
      topic: nativeTopic('tap-c', 'config'),
      text: '{"intervalS":1}',
    });
    expect(seen[1]!.reason).toMatch(/set by the server/);
  });

  it("marks the box's last will, published when its connection is lost", async () => {
    const seen = watch('tap-will');
    const creds = await sys.devices.add({ deviceId: 'tap-will' });
    const client = await mqtt.connectAsync(sys.mqttUrl, {
      ...creds,
      clientId: 'tap-will',
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: {
        topic: nativeTopic('tap-will', 'status'),
        payload: Buffer.from('{"online":false}'),
        qos: 1,
        retain: true,
      },
    });
    await client.publishAsync(nativeTopic('tap-will', 'status'), '{"online":true}', { qos: 1 });
    client.stream.destroy(); // no DISCONNECT: the broker publishes the will
    await waitFor('the will', () => seen.length === 2);
    expect(seen[0]).toMatchObject({ text: '{"online":true}', outcome: 'accepted' });
    expect(seen[0]!.will).toBeUndefined();
    expect(seen[1]).toMatchObject({ text: '{"online":false}', outcome: 'accepted', will: true });
    client.end(true);
  });

  it('files an anonymous LASS message under the device_id in its payload', async () => {
    const seen = watch('74DA38AF4CB8');
    const client = await mqtt.connectAsync(sys.mqttUrl, {
      clientId: 'lass-anon',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const payload =
      '|ver_format=3|app=AirBox|device_id=74DA38AF4CB8|date=2026-11-27|time=09:00:00|s_d0=17.00';
    await client.publishAsync('LASS/Test/PM25', payload, { qos: 1 });
    await client.endAsync();
    await waitFor('the tapped messages', () => seen.length === 1);
    expect(seen[0]).toMatchObject({ outcome: 'stored', clientId: 'lass-anon', text: payload });
  });
});

describe('RawBus bounds', () => {
  const message = (deviceId: string, text: string) => ({
    deviceId,
    topic: nativeTopic(deviceId, 'reading'),
    clientId: deviceId,
    receivedAtMs: Date.UTC(2026, 10, 27, 9),
    bytes: text.length,
    text,
    truncated: false,
    outcome: 'stored' as const,
  });

  it('keeps a few messages for the boxes that sent last, and stops calling a closed tail', () => {
    const small = new RawBus({ recentPerDevice: 2, maxDevices: 2 });
    const seen: string[] = [];
    const stop = small.subscribe('a', (m) => seen.push(m.text));
    for (const t of ['1', '2', '3']) small.publish(message('a', t));
    small.publish(message('b', 'b1'));
    expect(small.recentOf('a').map((m) => m.text)).toEqual(['2', '3']);
    small.publish(message('c', 'c1')); // 'a' has been quiet the longest: forgotten
    expect(small.recentOf('a')).toEqual([]);
    expect(small.recentOf('b').map((m) => m.text)).toEqual(['b1']);
    stop();
    small.publish(message('a', '4'));
    expect(seen).toEqual(['1', '2', '3']);
    expect(small.watched()).toEqual([]);
  });

  it('tells the cluster relay when a box gets its first watcher, and knows a message it keeps', () => {
    const bus = new RawBus();
    const watches: string[] = [];
    bus.onWatch((id) => watches.push(id));
    const stopA = bus.subscribe('a', () => {});
    bus.subscribe('a', () => {});
    stopA();
    bus.subscribe('b', () => {});
    expect(watches).toEqual(['a', 'b']);
    const kept = message('a', '1');
    bus.publish(kept);
    expect(bus.keptOf('a')).toEqual([kept]);
    expect(bus.keeps({ ...kept })).toBe(true);
    expect(bus.keeps({ ...kept, receivedAtMs: kept.receivedAtMs + 1 })).toBe(false);
  });
});
