import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { startSystem, type TestSystem } from './system.ts';
import { closedWithin, connackCode, connect, publishOutcome } from './clients.ts';

/**
 * A client id names a session (MQTT 3.1.1 §3.1.3.1), and a CONNECT with one in use closes
 * the connection using it ([MQTT-3.1.4-2]): one box's credentials must not take another
 * box's id. Real broker, real sockets on 127.0.0.1.
 */
const systems: TestSystem[] = [];
afterEach(async () => {
  for (const s of systems.splice(0)) await s.close();
});

async function system() {
  const sys = await startSystem();
  systems.push(sys);
  return {
    sys,
    a: await sys.devices.add({ deviceId: 'boxA' }),
    b: await sys.devices.add({ deviceId: 'boxB' }),
  };
}

describe('client ids', () => {
  it("box A's credentials with client id boxB are refused (CONNACK 2): B keeps its session and queued config", async () => {
    const { sys, a, b } = await system();
    const config = nativeTopic('boxB', 'config');
    const asB = { ...b, clientId: 'boxB', clean: false };
    const first = await connect(sys.mqttUrl, asB);
    await first.subscribeAsync(config, { qos: 1 });
    await first.endAsync();
    const svc = await sys.devices.add({ deviceId: 'operator', role: 'service' });
    const operator = await connect(sys.mqttUrl, { ...svc, clientId: 'operator' });
    await operator.publishAsync(config, '{"intervalS":30}', { qos: 1 });
    await operator.endAsync();

    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'boxB', clean: false })).toBe(2);

    // Listening before CONNACK: the queued message may come in the same segment.
    const again = mqtt.connect(sys.mqttUrl, { ...asB, protocolVersion: 4, reconnectPeriod: 0 });
    const got = await new Promise<string>((resolve) =>
      again.on('message', (_t, p) => resolve(p.toString())),
    );
    expect(got).toBe('{"intervalS":30}');
    await again.endAsync();
  });

  it("box A's credentials with client id boxB do not close box B's connection", async () => {
    const { sys, a, b } = await system();
    const boxB = await connect(sys.mqttUrl, { ...b, clientId: 'boxB' });
    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'boxB' })).toBe(2);
    expect(await closedWithin(boxB, 500)).toBe(false);
    expect(await publishOutcome(boxB, nativeTopic('boxB', 'status'), '{"online":true}')).toBe(
      'acked',
    );
    await boxB.endAsync();
  });

  it('a box may use an id nobody owns for a clean session (mosquitto_pub, a second connection), not a kept one', async () => {
    const { sys, a } = await system();
    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'boxA-pub' })).toBe(0);
    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'mosq-x8Zq1' })).toBe(0);
    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'mosq-x8Zq1', clean: false })).toBe(2);
    expect(await connackCode(sys.mqttUrl, { ...a, clientId: 'boxA', clean: false })).toBe(0);
  });

  it('a service account keeps any client id', async () => {
    const { sys } = await system();
    const svc = await sys.devices.add({ deviceId: 'relay', role: 'service' });
    expect(
      await connackCode(sys.mqttUrl, { ...svc, clientId: 'relay-worker-3', clean: false }),
    ).toBe(0);
  });
});
