import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { waitFor } from '@airbox/testkit';
import { RegistryView, openSqliteRegistry, type Registry } from '@airbox/registry';
import { startBroker, type RunningBroker } from '../src/index.ts';
import { startSystem, type SystemOptions, type TestSystem } from './system.ts';
import { closedWithin, connackCode, connect, publishOutcome } from './clients.ts';

/**
 * `airbox device revoke|rotate` writes devices.db from another process: the broker must
 * close the connections those credentials opened, within 5 s, not wait for them to end.
 * Here a second Registry on the same file plays that process (packages/registry's own tests
 * run a real second process); real sockets.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function system(
  opts: SystemOptions = {},
): Promise<{ sys: TestSystem; other: Registry['devices'] }> {
  const sys = await startSystem(opts);
  cleanups.push(() => sys.close());
  const other = await openSqliteRegistry(join(sys.dataDir, 'devices.db'));
  cleanups.push(() => other.close());
  return { sys, other: other.devices };
}

const status = '{"online":true}';

describe('revoked and rotated credentials end live connections', () => {
  it('a revoked box is disconnected within 5 s, and cannot come back', async () => {
    const { sys, other } = await system();
    const creds = await sys.devices.add({ deviceId: 'rev-live' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'rev-live' });
    expect(await publishOutcome(box, nativeTopic('rev-live', 'status'), status)).toBe('acked');
    const startMs = Date.now();
    await other.revoke('rev-live');
    expect(await closedWithin(box, 5000)).toBe(true);
    expect(Date.now() - startMs).toBeLessThan(5000);
    expect(await connackCode(sys.mqttUrl, { ...creds, clientId: 'rev-live' })).toBe(4);
  });

  it('a rotated box is disconnected within 5 s; the new secret connects and stays', async () => {
    const { sys, other } = await system();
    const creds = await sys.devices.add({ deviceId: 'rot-live' });
    const other1 = await sys.devices.add({ deviceId: 'rot-bystander' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'rot-live' });
    const bystander = await connect(sys.mqttUrl, { ...other1, clientId: 'rot-bystander' });
    const fresh = await other.rotate('rot-live');
    expect(await closedWithin(box, 5000)).toBe(true);
    const again = await connect(sys.mqttUrl, { ...fresh, clientId: 'rot-live' });
    await other.revoke('rot-bystander'); // another change: the new login is checked again
    expect(await closedWithin(bystander, 5000)).toBe(true);
    expect(again.connected).toBe(true);
    expect(await publishOutcome(again, nativeTopic('rot-live', 'status'), status)).toBe('acked');
    await again.endAsync();
  });

  it('the registry changed by this process (the API) disconnects at once', async () => {
    // A poll too slow to explain the close: the write itself shows the broker.
    const { sys } = await system({ registryPollMs: 600_000 });
    const creds = await sys.devices.add({ deviceId: 'rev-here' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'rev-here' });
    await sys.devices.revoke('rev-here');
    expect(await closedWithin(box, 5000)).toBe(true);
  });

  it('two brokers on one devices.db each close their own clients', async () => {
    const { sys, other } = await system();
    const second = await secondBroker(sys);
    const one = await sys.devices.add({ deviceId: 'two-1' });
    const two = await sys.devices.add({ deviceId: 'two-2' });
    // Written through the first broker's registry: the second one's view learns at its poll.
    await waitFor('the second broker to know two-2', () => second.view.has('two-2'));
    const onFirst = await connect(sys.mqttUrl, { ...one, clientId: 'two-1' });
    const onSecond = await connect(`mqtt://127.0.0.1:${second.broker.ports.mqtt}`, {
      ...two,
      clientId: 'two-2',
    });
    await other.revoke('two-1');
    await other.revoke('two-2');
    const [closed1, closed2] = await Promise.all([
      closedWithin(onFirst, 5000),
      closedWithin(onSecond, 5000),
    ]);
    expect([closed1, closed2]).toEqual([true, true]);
  });
});

/** Another broker in front of the same devices.db (scaled out), with its own registry and view. */
async function secondBroker(
  sys: TestSystem,
): Promise<{ broker: RunningBroker; view: RegistryView }> {
  const registry = await openSqliteRegistry(join(sys.dataDir, 'devices.db'));
  const view = await RegistryView.open(registry.devices);
  const broker = await startBroker({
    registry: view,
    sink: sys.worker,
    deadLetters: (l) => sys.store.addDeadLetter(l),
    persistenceDir: null,
    allowAnonymousLass: false,
    maxPayloadBytes: 65_536,
    ratePerS: 1000,
    rateBurst: 10_000,
    host: '127.0.0.1',
    mqttPort: 0,
    wsPort: null,
    tls: null,
  });
  cleanups.push(async () => {
    await broker.close();
    view.close();
    await registry.close();
  });
  return { broker, view };
}
