import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { openSqliteStore } from '@airbox/store';
import { RegistryView, openSqliteRegistry, refreshingDevices } from '@airbox/registry';
import { tempDir } from '@airbox/testkit';
import { startBroker, StreamWorker } from '../src/index.ts';

/** WebSocket and TLS transports, credential rotation and revocation, rate limits. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function system(opts: { tls?: boolean; ratePerS?: number; rateBurst?: number } = {}) {
  const dir = tempDir('transports');
  cleanups.push(dir.remove);
  let tls = null;
  if (opts.tls) {
    const keyFile = join(dir.path, 'key.pem');
    const certFile = join(dir.path, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    tls = { certFile, keyFile, port: 0 };
  }
  const store = openSqliteStore({ path: ':memory:' });
  const registry = await openSqliteRegistry(':memory:');
  const view = await RegistryView.open(registry.devices);
  const broker = await startBroker({
    registry: view,
    sink: new StreamWorker({ store }),
    deadLetters: (l) => store.addDeadLetter(l),
    persistenceDir: null,
    allowAnonymousLass: false,
    maxPayloadBytes: 65_536,
    ratePerS: opts.ratePerS ?? 1000,
    rateBurst: opts.rateBurst ?? 1000,
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: 0,
    tls,
  });
  cleanups.push(async () => {
    await broker.close();
    await store.close();
    view.close();
    await registry.close();
  });
  const devices = refreshingDevices(registry.devices, view);
  return { store, devices, broker, certFile: tls?.certFile };
}

const reading = (minute = 0) =>
  JSON.stringify({ time: `2026-11-27T10:0${minute}:00Z`, pm25UgM3: 7 + minute });

describe('transports', () => {
  it('MQTT over WebSocket at /mqtt stores a reading', async () => {
    const { store, devices, broker } = await system();
    const creds = await devices.add({ deviceId: 'ws-box' });
    const client = await mqtt.connectAsync(`ws://127.0.0.1:${broker.ports.ws}/mqtt`, {
      ...creds,
      clientId: 'ws-box',
      protocolVersion: 4,
    });
    await client.publishAsync(nativeTopic('ws-box', 'reading'), reading(), { qos: 1 });
    await client.endAsync();
    expect(await store.latest({ deviceIds: ['ws-box'] })).toMatchObject([{ pm25UgM3: 7 }]);
  });

  it('MQTT over TLS with the given certificate stores a reading', async () => {
    const { store, devices, broker, certFile } = await system({ tls: true });
    const creds = await devices.add({ deviceId: 'tls-box' });
    const { readFileSync } = await import('node:fs');
    const client = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.ports.tls}`, {
      ...creds,
      clientId: 'tls-box',
      protocolVersion: 4,
      ca: readFileSync(certFile!),
      servername: '127.0.0.1',
      rejectUnauthorized: true,
    });
    await client.publishAsync(nativeTopic('tls-box', 'reading'), reading(), { qos: 1 });
    await client.endAsync();
    expect(await store.latest({ deviceIds: ['tls-box'] })).toMatchObject([{ pm25UgM3: 7 }]);
  });
});

describe('credentials', () => {
  const connect = (port: number, username: string, password: string) =>
    mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      username,
      password,
      clientId: username,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });

  it('a rotated password replaces the old one at once', async () => {
    const { devices, broker } = await system();
    const old = await devices.add({ deviceId: 'rot-box' });
    const fresh = await devices.rotate('rot-box');
    await expect(connect(broker.ports.mqtt, 'rot-box', old.password)).rejects.toThrow(
      /bad username or password|not authorized/i,
    );
    const client = await connect(broker.ports.mqtt, 'rot-box', fresh.password);
    await client.endAsync();
  });

  it('a revoked device can no longer connect', async () => {
    const { devices, broker } = await system();
    const creds = await devices.add({ deviceId: 'rev-box' });
    await devices.revoke('rev-box');
    await expect(connect(broker.ports.mqtt, 'rev-box', creds.password)).rejects.toThrow(
      /bad username or password|not authorized/i,
    );
    expect((await devices.get('rev-box'))?.revokedAt).not.toBeNull();
  });
});

describe('rate limit', () => {
  it('refuses a client beyond its burst, closing the connection, with a dead letter', async () => {
    const { store, devices, broker } = await system({ ratePerS: 1, rateBurst: 3 });
    const creds = await devices.add({ deviceId: 'fast-box' });
    const client = mqtt.connect(`mqtt://127.0.0.1:${broker.ports.mqtt}`, {
      ...creds,
      clientId: 'fast-box',
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    for (let m = 0; m < 5; m++)
      client.publish(nativeTopic('fast-box', 'reading'), reading(m), { qos: 1 });
    await closed;
    client.end(true);
    expect(
      (await store.series({ deviceIds: ['fast-box'], fromMs: 0, toMs: Date.UTC(2030, 0) })).length,
    ).toBe(3);
    const letters = await store.deadLetters({ limit: 10 });
    expect(letters[0]).toMatchObject({ code: 'rate-limited', clientId: 'fast-box' });
  });
});
