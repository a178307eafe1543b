import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '@airbox/store';
import {
  publishReadings,
  ServeProcess,
  spawnUntil,
  stopChild,
  tempDir,
  waitFor,
  waitForLogin,
  AIRBOX_BIN,
} from '@airbox/testkit';
import type { ChildProcess } from 'node:child_process';
import { registerIn } from './system.ts';

/**
 * Faults against real processes on 127.0.0.1, each ending in a count: readings a device
 * had acknowledged vs readings stored. They must match exactly.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(extraArgs: string[] = []) {
  const dir = tempDir('faults');
  const serve = new ServeProcess(dir.path, ['--rate', '100000', ...extraArgs]);
  cleanups.push(dir.remove, () => serve.stop('SIGKILL'));
  /** Registers beside the running server, and waits until its broker takes the login. */
  const register = async (id: string, role: 'device' | 'service' = 'device') => {
    const [creds] = await registerIn(join(dir.path, 'devices.db'), [id], role);
    await waitForLogin(`mqtt://127.0.0.1:${serve.ports!.mqtt}`, creds!);
    return creds!;
  };
  const count = async (deviceId: string) => {
    const store = openSqliteStore({ path: join(dir.path, 'readings.db') });
    try {
      return (await store.series({ deviceIds: [deviceId], fromMs: 0, toMs: Date.UTC(2100, 0, 1) }))
        .length;
    } finally {
      await store.close();
    }
  };
  return { dir: dir.path, serve, register, count };
}

const N = 1500;

describe('faults: readings sent = readings stored', () => {
  it.each([
    ['the whole system killed with SIGKILL mid-stream and restarted', 'SIGKILL', 'fault-box-1'],
    [
      'the broker restarted (SIGTERM: graceful drain) while a device publishes',
      'SIGTERM',
      'fault-box-2',
    ],
  ] as const)('%s', async (_, signal, deviceId) => {
    const { serve, register, count } = setup();
    const ports = await serve.start();
    const box = await register(deviceId);
    const publishing = publishReadings({
      url: `mqtt://127.0.0.1:${ports.mqtt}`,
      ...box,
      count: N,
      intervalMs: 1,
    });
    await new Promise((r) => setTimeout(r, 700));
    await serve.stop(signal);
    expect(await count(deviceId)).toBeLessThan(N); // stopped mid-stream
    await serve.start(); // on the same ports: the device reconnects and resends
    expect((await publishing).acked).toBe(N);
    await serve.stop();
    expect(await count(deviceId)).toBe(N);
  });

  it('a separate worker killed with SIGKILL mid-stream: the broker keeps its messages', async () => {
    const { dir, serve, register, count } = setup(['--no-worker']);
    const ports = await serve.start();
    const service = await register('worker-svc', 'service');
    const box = await register('fault-box-3');
    const workerArgs = [
      AIRBOX_BIN,
      'worker',
      '--broker',
      `mqtt://127.0.0.1:${ports.mqtt}`,
      '--username',
      service.username,
      '--password',
      service.password,
      '--data-dir',
      dir,
      '--http-port',
      '0',
    ];
    const startWorker = async () =>
      (await spawnUntil(process.execPath, workerArgs, /"event":"listening"/)).child;
    let worker: ChildProcess = await startWorker();
    cleanups.push(() => stopChild(worker, 'SIGKILL'));

    const publishing = publishReadings({
      url: `mqtt://127.0.0.1:${ports.mqtt}`,
      ...box,
      count: N,
      intervalMs: 1,
    });
    await waitFor(
      'the worker to store some readings',
      async () => (await count('fault-box-3')) > 100,
    );
    await stopChild(worker, 'SIGKILL');
    expect(await count('fault-box-3')).toBeLessThan(N);
    expect((await publishing).acked).toBe(N); // the broker took them all while no worker ran
    worker = await startWorker();
    expect(
      await waitFor(
        `${N} readings stored`,
        async () => ((await count('fault-box-3')) === N ? N : undefined),
        30_000,
      ),
    ).toBe(N);
    await stopChild(worker);
  });

  it('the same readings published twice are stored once', async () => {
    const { serve, register, count } = setup();
    const ports = await serve.start();
    const box = await register('fault-box-4');
    const plan = { url: `mqtt://127.0.0.1:${ports.mqtt}`, ...box, count: 300 };
    expect((await publishReadings(plan)).acked).toBe(300);
    expect((await publishReadings(plan)).acked).toBe(300);
    const metrics = await (await fetch(serve.httpUrl('/metrics'))).text();
    expect(metrics).toMatch(/^airbox_readings_duplicate_total 300$/m);
    await serve.stop();
    expect(await count('fault-box-4')).toBe(300);
  });
});
