import { waitFor } from '@airbox/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { keys, startDeviceHarness, type DeviceHarness } from './device-harness.ts';
import { observe, startIngest, type IngestSystem, type Observer } from './system.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/**
 * The device against our real broker (embedded worker, SQLite store) over real sockets on
 * 127.0.0.1, through a TCP proxy the test can cut. A PUBACK from this broker means stored.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  system: IngestSystem;
  proxy: TcpProxy;
  box: DeviceHarness;
  observer: Observer;
  deviceId: string;
}

async function rig(deviceId: string, maxReadings?: number): Promise<Rig> {
  const system = await startIngest();
  cleanups.push(() => system.close());
  const proxy = await startTcpProxy(system.port);
  cleanups.push(() => proxy.close());
  const observer = await observe(system, deviceId);
  cleanups.push(() => observer.close());
  const box = await startDeviceHarness({ system, deviceId, brokerUrl: proxy.url, maxReadings });
  cleanups.push(() => box.close());
  await waitFor('the device to connect', () => box.device.status().online);
  return { system, proxy, box, observer, deviceId };
}

const lastStatus = (o: Observer) => o.statuses.at(-1);

describe('device → broker through a link that goes down', () => {
  it('buffers on disk while cut; after restore every reading is stored once, at its own time', async () => {
    const { system, proxy, box, observer, deviceId } = await rig('fw-cut-1');
    await box.produce(5);
    await waitFor('5 stored and acknowledged', async () => {
      const stored = await system.stored(deviceId);
      return stored.length === 5 && box.device.status().backlog === 0;
    });

    proxy.cut();
    await waitFor('the last will', () => lastStatus(observer)?.online === false);
    await box.produce(12);
    expect(box.device.status()).toMatchObject({ online: false, backlog: 12 });
    expect((await system.stored(deviceId)).length).toBe(5);

    proxy.restore();
    await box.produce(3);
    await waitFor('the backlog drained', async () => {
      const stored = await system.stored(deviceId);
      return stored.length === 20 && box.device.status().backlog === 0;
    });
    const stored = await system.stored(deviceId);
    expect(keys(stored).sort()).toEqual(keys(box.produced).sort());
    expect(new Set(keys(stored)).size).toBe(20);
    expect(observer.dataTopics).toContain(`airbox/v1/${deviceId}/batch`);
    expect(await system.store.deadLetters()).toEqual([]);
  });

  it('a lost PUBACK: the reading is sent again after reconnecting and stored once', async () => {
    const { system, proxy, box, deviceId } = await rig('fw-puback-1');
    proxy.dropReplies();
    await box.produce(1);
    await waitFor(
      'stored, unacknowledged',
      async () => (await system.stored(deviceId)).length === 1,
    );
    await box.produce(2); // wait behind the round in flight
    expect(box.device.status().backlog).toBe(3);
    proxy.cut();
    proxy.restore();
    await waitFor('drained', () => box.device.status().backlog === 0 && box.device.status().online);
    const stored = await system.stored(deviceId);
    expect(keys(stored)).toEqual(keys(box.produced));
    expect(system.worker.counters.readingsDuplicate).toBe(1);
  });

  it('keeps what it buffered across a reboot while offline, and sends it after', async () => {
    const { system, proxy, box, deviceId } = await rig('fw-reboot-1');
    proxy.cut();
    await box.produce(7);
    await box.restart(); // stop() and a fresh Device on the same buffer directory
    expect(box.device.status().backlog).toBe(7);
    proxy.restore();
    await box.produce(2);
    await waitFor('9 stored', async () => (await system.stored(deviceId)).length === 9);
    expect(keys(await system.stored(deviceId)).sort()).toEqual(keys(box.produced).sort());
  });

  it('with a 20-reading bound and 50 readings while cut: the newest 20 arrive, 30 dropped', async () => {
    const { system, proxy, box, observer, deviceId } = await rig('fw-bound-1', 20);
    proxy.cut();
    await box.produce(50);
    expect(box.device.status()).toMatchObject({ backlog: 20, droppedReadings: 30 });
    proxy.restore();
    await waitFor('the drained status', () => {
      const s = lastStatus(observer);
      return s?.online === true && s.backlog === 0 && s.droppedReadings === 30;
    });
    const stored = await system.stored(deviceId);
    expect(keys(stored).sort()).toEqual(keys(box.produced.slice(30)).sort());
  });
});

describe('the retained config topic', () => {
  it('changes the report interval at run time', async () => {
    const { system, box, observer, deviceId } = await rig('fw-config-1');
    await box.produce(2);
    await observer.setConfig({ intervalS: 120, samplesPerReport: 4 });
    await waitFor('the new interval in force', () => box.device.status().intervalS === 120);
    await box.produce(3);
    await waitFor('5 stored', async () => (await system.stored(deviceId)).length === 5);
    const timesMs = (await system.stored(deviceId)).map((r) => Date.parse(r.time));
    const gapsS = timesMs.slice(1).map((t, i) => (t - (timesMs[i] ?? 0)) / 1000);
    // The cycle running when the config came finishes on the old grid.
    expect(gapsS).toEqual([60, 60, 120, 120]);
    await waitFor('the status', () => lastStatus(observer)?.intervalS === 120);
  });

  it('ignores an invalid config and names the field and the problem in the status', async () => {
    const { box, observer } = await rig('fw-config-2');
    await observer.setConfig({ intervalS: -5, format: 'lass' });
    await waitFor('the error in the status', () => lastStatus(observer)?.lastError !== null);
    expect(lastStatus(observer)?.lastError).toMatch(/intervalS = -5: Too small/);
    expect(box.device.status()).toMatchObject({ intervalS: 60, format: 'native' });

    await observer.setConfig({ interval: 30 });
    await waitFor('the next error', () =>
      /interval: unknown field/.test(lastStatus(observer)?.lastError ?? ''),
    );

    await observer.setConfig({ intervalS: 30 });
    await waitFor('the error cleared', () => lastStatus(observer)?.lastError === null);
    expect(lastStatus(observer)?.intervalS).toBe(30);
  });

  it('switches to LASS ver_format 3 on LASS/Test/PM25/<id>', async () => {
    const { system, box, observer, deviceId } = await rig('fw-config-3');
    await box.produce(1);
    await observer.setConfig({ format: 'lass' });
    await waitFor('LASS in force', () => box.device.status().format === 'lass');
    await box.produce(2);
    await waitFor('3 stored', async () => (await system.stored(deviceId)).length === 3);
    const stored = await system.stored(deviceId);
    expect(stored.map((r) => r.format)).toEqual(['native-v1', 'lass-v3', 'lass-v3']);
    expect(keys(stored)).toEqual(keys(box.produced));
  });

  it('moves to another broker URL, taking the unacknowledged readings along', async () => {
    const { system, proxy, box, observer, deviceId } = await rig('fw-config-4');
    const second = await startTcpProxy(system.port);
    cleanups.push(() => second.close());
    await observer.setConfig({ brokerUrl: second.url });
    await waitFor('a connection through the second proxy', () => second.connections > 0);
    proxy.cut(); // the old route is gone for good
    await box.produce(4);
    await waitFor('4 stored', async () => (await system.stored(deviceId)).length === 4);
    expect(box.device.publisher.brokerUrl).toBe(second.url);
  });
});
