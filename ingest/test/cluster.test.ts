import type { SequencedRawMessage } from '@airbox/contracts';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import {
  openInfluxStore,
  openSqliteStore,
  parseInfluxConfig,
  type ReadingStore,
} from '@airbox/store';
import {
  openEventStream,
  publishReadings,
  requireBinary,
  ServeProcess,
  spawnUntil,
  startHaproxy,
  startInfluxd,
  startRedis,
  stopChild,
  tempDir,
  waitForLogin,
  waitFor,
  AIRBOX_BIN,
} from '@airbox/testkit';
import { registerIn } from './system.ts';

/**
 * The scaled-out layout on 127.0.0.1 with real parts: Redis (Debian's redis-server), several
 * `airbox serve` brokers sharing it, HAProxy as the one address in front of them, workers as
 * their own processes, InfluxDB as the shared store. Each test ends in a count: readings the
 * devices had acknowledged vs readings stored, exactly once.
 */
const END = Date.UTC(2100, 0, 1);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A deployment's shared parts: Redis and the device registry every broker node reads. */
async function deployment() {
  await requireBinary('redis-server');
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const shared = tempDir('cluster-shared');
  cleanups.push(shared.remove);
  const registryPath = join(shared.path, 'devices.db');
  const register = async (id: string, role: 'device' | 'service' = 'device') =>
    (await registerIn(registryPath, [id], role))[0]!;
  const node = (args: string[]) => {
    const dir = tempDir('cluster-node');
    const serve = new ServeProcess(dir.path, [
      '--rate',
      '100000',
      '--no-refit',
      '--redis',
      redis.url,
      '--registry',
      registryPath,
      ...args,
    ]);
    cleanups.push(dir.remove, () => serve.stop('SIGKILL'));
    return serve;
  };
  const worker = async (args: string[]) => {
    const dir = tempDir('cluster-worker');
    const { child } = await spawnUntil(
      process.execPath,
      [AIRBOX_BIN, 'worker', '--data-dir', dir.path, '--http-port', '0', ...args],
      /"event":"listening"/,
    );
    cleanups.push(dir.remove, () => stopChild(child, 'SIGKILL'));
    return { child, dir: dir.path };
  };
  return { redis, registryPath, register, node, worker };
}

async function countIn(store: ReadingStore, deviceId: string): Promise<number> {
  return (await store.series({ deviceIds: [deviceId], fromMs: 0, toMs: END })).length;
}

describe('scale-out: brokers sharing Redis', () => {
  it('a box on one broker reaches a worker connected to the other; config published on the other reaches the box', async () => {
    const { register, node, worker } = await deployment();
    const svc = await register('worker-svc', 'service');
    const box = await register('redis-box-1');
    const a = node(['--handoff', 'mqtt']);
    const b = node(['--handoff', 'mqtt']);
    const [pa, pb] = [await a.start(), await b.start()];
    const w = await worker([
      '--broker',
      `mqtt://127.0.0.1:${pb.mqtt}`,
      '--username',
      svc.username,
      '--password',
      svc.password,
    ]);

    // The box listens for its config on broker A; an operator publishes it on broker B.
    const boxClient = await mqtt.connectAsync(`mqtt://127.0.0.1:${pa.mqtt}`, {
      clientId: 'redis-box-1-config',
      username: box.username,
      password: box.password,
      protocolVersion: 4,
    });
    cleanups.push(() => boxClient.endAsync(true));
    const config = new Promise<string>((resolve) =>
      boxClient.on('message', (_t, p) => resolve(p.toString())),
    );
    await boxClient.subscribeAsync('airbox/v1/redis-box-1/config', { qos: 1 });
    const operator = await mqtt.connectAsync(`mqtt://127.0.0.1:${pb.mqtt}`, {
      clientId: 'operator',
      username: svc.username,
      password: svc.password,
      protocolVersion: 4,
    });
    cleanups.push(() => operator.endAsync(true));
    await operator.publishAsync('airbox/v1/redis-box-1/config', '{"intervalS":30}', {
      qos: 1,
      retain: true,
    });
    expect(await config).toBe('{"intervalS":30}');

    const sent = await publishReadings({ url: `mqtt://127.0.0.1:${pa.mqtt}`, ...box, count: 400 });
    expect(sent.acked).toBe(400);
    const store = openSqliteStore({ path: join(w.dir, 'readings.db') });
    cleanups.push(() => store.close());
    const stored = await waitFor(
      '400 readings stored by the worker on broker B',
      async () => ((await countIn(store, 'redis-box-1')) === 400 ? 400 : undefined),
      30_000,
    );
    expect(stored).toBe(400);
  });
});

describe('scale-out: the maker page on one node, the box on another', () => {
  it("a box's raw messages on broker A reach the raw tail served by node B, the kept ones first", async () => {
    const { register, node } = await deployment();
    const box = await register('raw-box-1');
    const a = node(['--handoff', 'stream']);
    const b = node(['--handoff', 'stream']);
    const [pa] = [await a.start(), await b.start()];
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${pa.mqtt}`, {
      clientId: 'raw-box-1',
      username: box.username,
      password: box.password,
      protocolVersion: 4,
    });
    cleanups.push(() => client.endAsync(true));
    const reading = (pm25UgM3: number) =>
      JSON.stringify({ time: new Date().toISOString(), pm25UgM3 });
    const before = reading(11);
    await client.publishAsync('airbox/v1/raw-box-1/reading', before, { qos: 1 });

    const url = b.httpUrl('/api/v1/devices/raw-box-1/raw.sse');
    // The tail is its owner's: here the box's own login (HTTP Basic), as the maker page sends it.
    const basic = Buffer.from(`${box.username}:${box.password}`).toString('base64');
    const owner = { authorization: `Basic ${basic}` };
    const tail = await openEventStream<SequencedRawMessage>(url, owner);
    cleanups.push(() => void tail.close());
    // Sent before the tail opened: kept by broker A, sent over when B began to watch.
    expect((await tail.take(1))[0]!.data).toMatchObject({
      text: before,
      outcome: 'queued',
      clientId: 'raw-box-1',
    });
    const after = reading(12);
    await client.publishAsync('airbox/v1/raw-box-1/reading', after, { qos: 1 });
    expect((await tail.take(2))[1]!.data).toMatchObject({ text: after, outcome: 'queued' });

    // Reopened: both from B's own kept ones, each once.
    tail.close();
    const again = await openEventStream<SequencedRawMessage>(url, owner);
    cleanups.push(() => void again.close());
    await again.take(2);
    await new Promise((r) => setTimeout(r, 1_500)); // A's next watch refresh has come and gone
    expect(again.events.map((e) => e.data.text)).toEqual([before, after]);
  });
});

describe('scale-out: two brokers behind HAProxy, two stream workers, InfluxDB', () => {
  it('a broker and a worker killed under load: every acknowledged reading stored exactly once', async () => {
    await requireBinary('haproxy');
    await requireBinary('influxd');
    const { redis, registryPath, node, worker } = await deployment();
    const influx = await startInfluxd();
    cleanups.push(() => influx.stop());
    const storeArgs = [
      '--store',
      'influxdb',
      '--influx-url',
      influx.url,
      '--influx-mode',
      'v1',
      '--influx-db',
      'airbox',
    ];
    const brokers = [
      node(['--handoff', 'stream', ...storeArgs]),
      node(['--handoff', 'stream', ...storeArgs]),
    ];
    const ports = [await brokers[0]!.start(), await brokers[1]!.start()];
    const lb = await startHaproxy(ports.map((p) => p.mqtt));
    cleanups.push(() => lb.stop());
    const w1 = await worker(['--redis', redis.url, '--worker-id', 'w1', ...storeArgs]);
    await worker(['--redis', redis.url, '--worker-id', 'w2', ...storeArgs]);

    // The live map on broker B's API: readings the workers store reach it through Redis.
    const live = new AbortController();
    cleanups.push(() => live.abort());
    const liveText = (async () => {
      let text = '';
      try {
        const res = await fetch(brokers[1]!.httpUrl('/api/v1/live.sse'), { signal: live.signal });
        const reader = res.body!.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += Buffer.from(value).toString();
        }
      } catch {
        // aborted at the end
      }
      return text;
    })();

    const DEVICES = 12;
    const N = 400;
    const boxes = await registerIn(
      registryPath,
      Array.from({ length: DEVICES }, (_, i) => `lb-box-${i}`),
    );
    // Registered beside the running brokers: each learns of them at its next registry poll.
    for (const p of ports) await waitForLogin(`mqtt://127.0.0.1:${p.mqtt}`, boxes[0]!);
    const publishing = boxes.map((box) =>
      publishReadings({ url: lb.url, ...box, count: N, intervalMs: 5, timeoutMs: 90_000 }),
    );
    await new Promise((r) => setTimeout(r, 1000));
    await brokers[0]!.stop('SIGKILL'); // its devices reconnect through HAProxy to the other
    await new Promise((r) => setTimeout(r, 500));
    await stopChild(w1.child, 'SIGKILL'); // w2 takes its partitions when the leases lapse
    const outcomes = await Promise.all(publishing);
    expect(outcomes.map((o) => o.acked)).toEqual(boxes.map(() => N));

    const store = await openInfluxStore(
      parseInfluxConfig({
        url: influx.url,
        mode: 'v1',
        database: 'airbox',
        spillDir: join(tempDir('cluster-reader').path, 'spill'),
      }),
    );
    cleanups.push(() => store.close());
    const counts = await waitFor(
      `${DEVICES} × ${N} readings in InfluxDB`,
      async () => {
        const c = await Promise.all(boxes.map((b) => countIn(store, b.deviceId)));
        return c.every((n) => n === N) ? c : undefined;
      },
      60_000,
    );
    expect(counts).toEqual(boxes.map(() => N));
    live.abort();
    expect(await liveText).toContain('"deviceId":"lb-box-0"');
    // Nothing left behind: the streams hold no entry a worker has not acknowledged.
    const metrics = await (await fetch(brokers[1]!.httpUrl('/metrics'))).text();
    expect(metrics).toMatch(/^airbox_stream_appended_total [1-9]/m);
  }, 180_000);
});
