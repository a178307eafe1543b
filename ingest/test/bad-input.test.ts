import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { waitFor } from '@airbox/testkit';
import { startSystem, type TestSystem } from './system.ts';

/**
 * Bad input over real MQTT: each message refused or dead-lettered with a reason, and
 * nothing already stored lost.
 */
let sys: TestSystem;
beforeAll(async () => {
  sys = await startSystem({ maxPayloadBytes: 2048 });
});
afterAll(async () => sys?.close());

async function device(id: string) {
  const creds = await sys.devices.add({ deviceId: id });
  const client = await mqtt.connectAsync(sys.mqttUrl, {
    ...creds,
    clientId: id,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  return client;
}

const good = (minute: number) =>
  JSON.stringify({
    time: `2026-11-27T09:${String(minute).padStart(2, '0')}:00Z`,
    pm25UgM3: 10 + minute,
  });

describe('bad input over MQTT', () => {
  it.each([
    ['malformed JSON', '{"time": "2026-11-27T09:00:00Z", pm25', 'invalid-json'],
    [
      'a wrong type',
      JSON.stringify({ time: '2026-11-27T09:00:00Z', pm25UgM3: 'twelve' }),
      'schema-mismatch',
    ],
    ['a missing time', JSON.stringify({ pm25UgM3: 12 }), 'schema-mismatch'],
    ['bytes that are not text', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), 'invalid-encoding'],
    ['an empty payload', '', 'empty-payload'],
  ])(
    '%s is acknowledged but dead-lettered with its raw bytes and the reason',
    async (what, payload, code) => {
      const id = `bad-${what.replace(/[^a-z]+/g, '-')}`;
      const client = await device(id);
      await client.publishAsync(nativeTopic(id, 'reading'), good(1), { qos: 1 });
      await client.publishAsync(nativeTopic(id, 'reading'), payload, { qos: 1 });
      await client.publishAsync(nativeTopic(id, 'reading'), good(2), { qos: 1 });
      await client.endAsync();
      const letters = await sys.store.deadLetters({ limit: 100 });
      const letter = letters.find((l) => l.topic === nativeTopic(id, 'reading'));
      expect(letter).toMatchObject({ code, clientId: id });
      expect(Buffer.from(letter!.payload).equals(Buffer.from(payload))).toBe(true);
      expect(letter!.reason.length).toBeGreaterThan(10);
      // The good readings on either side are stored: nothing lost.
      const stored = await sys.store.series({
        deviceIds: [id],
        fromMs: 0,
        toMs: Date.UTC(2030, 0, 1),
      });
      expect(stored.map((r) => r.pm25UgM3)).toEqual([11, 12]);
    },
  );

  it('refuses an oversized payload, closing the connection, and keeps its head as a dead letter', async () => {
    const client = await device('bad-big');
    await client.publishAsync(nativeTopic('bad-big', 'reading'), good(1), { qos: 1 });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    client.publish(nativeTopic('bad-big', 'reading'), 'x'.repeat(10_000), { qos: 1 });
    await closed;
    client.end(true);
    const letter = (await sys.store.deadLetters({ limit: 100 })).find(
      (l) => l.clientId === 'bad-big',
    );
    expect(letter).toMatchObject({
      code: 'payload-too-large',
      reason: expect.stringContaining('10000 bytes'),
    });
    expect(letter!.payload.length).toBe(4096);
    expect(await sys.store.latest({ deviceIds: ['bad-big'] })).toMatchObject([{ pm25UgM3: 11 }]);
  });

  it("refuses a device publishing to another device's topic, and stores nothing for either", async () => {
    const client = await device('bad-intruder');
    await sys.devices.add({ deviceId: 'bad-victim' });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const refusedBefore = sys.broker.refusedTotal;
    client.publish(nativeTopic('bad-victim', 'reading'), good(3), { qos: 1 });
    await closed;
    client.end(true);
    expect(sys.broker.refusedTotal).toBe(refusedBefore + 1); // airbox_publish_refused_total
    expect(await sys.store.latest({ deviceIds: ['bad-victim', 'bad-intruder'] })).toEqual([]);
    const letter = (await sys.store.deadLetters({ limit: 100 })).find(
      (l) => l.clientId === 'bad-intruder',
    );
    expect(letter?.code).toBe('not-authorized');
  });

  it("refuses a service account's PUBLISH to $SYS/ (the server's topics) and keeps it as a dead letter", async () => {
    const svc = await sys.devices.add({ deviceId: 'bad-sys-svc', role: 'service' });
    const client = await mqtt.connectAsync(sys.mqttUrl, {
      ...svc,
      clientId: 'bad-sys-svc',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    const refusedBefore = sys.broker.refusedTotal;
    client.publish('$SYS/x', 'not the server', { qos: 1 });
    await closed;
    client.end(true);
    expect(sys.broker.refusedTotal).toBe(refusedBefore + 1);
    const letter = (await sys.store.deadLetters({ limit: 100 })).find(
      (l) => l.clientId === 'bad-sys-svc',
    );
    expect(letter).toMatchObject({
      topic: '$SYS/x',
      code: 'not-authorized',
      reason: expect.stringContaining('$SYS/x'),
    });
    expect(Buffer.from(letter!.payload).toString()).toBe('not the server');
  });

  it('stores a LASS ver_format 3 reading and flags what the decoder saw', async () => {
    const client = await device('FT1_100');
    const payload =
      '|ver_format=3|fmt_opt=1|app=PM25|ver_app=0.7.13|device_id=FT1_100|tick=1|date=2026-11-27|time=09:30:00|device=LinkItONE|s_d0=42.00|s_t0=604.51|s_h0=57.20|gps_lat=22.6209|gps_lon=120.3137|gps_fix=1|gps_num=9|gps_alt=1';
    await client.publishAsync('LASS/Test/PM25/FT1_100', payload, { qos: 1 });
    await client.endAsync();
    const [r] = await waitFor('FT1_100 stored', async () => {
      const rows = await sys.store.latest({ deviceIds: ['FT1_100'] });
      return rows.length ? rows : undefined;
    });
    expect(r).toMatchObject({
      pm25UgM3: 42,
      temperatureC: 604.51,
      format: 'lass-v3',
      calibrationModel: 'identity',
      pm25CalibratedUgM3: 42,
    });
    expect(r!.flags).toContain('temperature-out-of-range');
  });
});

describe('broker persistence (embedded default)', () => {
  it('QoS 1 messages queued for a persistent session survive a broker restart', async () => {
    const svc = await sys.devices.add({ deviceId: 'persist-svc', role: 'service' });
    const sub = await mqtt.connectAsync(sys.mqttUrl, {
      ...svc,
      clientId: 'persist-sub',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await sub.subscribeAsync('airbox/v1/persist-box/reading', { qos: 1 });
    await sub.endAsync();

    const box = await device('persist-box');
    for (let m = 0; m < 20; m++)
      await box.publishAsync(nativeTopic('persist-box', 'reading'), good(m), { qos: 1 });
    await box.endAsync();

    await sys.stopBroker();
    await sys.restartBroker();

    const received: string[] = [];
    const again = mqtt.connect(`mqtt://127.0.0.1:${sys.broker.ports.mqtt}`, {
      ...svc,
      clientId: 'persist-sub',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    again.on('message', (_t, payload) => received.push(payload.toString()));
    await waitFor('20 queued messages', () => received.length >= 20, 10_000);
    await again.endAsync();
    expect(received).toEqual(Array.from({ length: 20 }, (_, m) => good(m)));
  });
});
