import { join } from 'node:path';
import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { AIRBOX_BIN, spawnUntil, stopChild, tempDir } from '@airbox/testkit';
import { registerIn } from './system.ts';
import { startSystem } from './system.ts';
import { connect, publishOutcome } from './clients.ts';

/**
 * Idle TCP connections cost a file descriptor each: enough of them and accept() fails for
 * HTTP and MQTT alike. The listeners cap them per remote address and in total, closing the
 * extra ones at once. Real sockets on 127.0.0.x (Linux routes all of 127/8 to lo).
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Opens `count` idle TCP connections from `localAddress`; resolves once each is settled. */
async function openIdle(port: number, count: number, localAddress: string): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let start = 0; start < count; start += 200) {
    const batch = Array.from(
      { length: Math.min(200, count - start) },
      () =>
        new Promise<Socket>((resolve) => {
          const s = tcpConnect({ host: '127.0.0.1', port, localAddress });
          s.on('error', () => undefined);
          s.once('connect', () => resolve(s));
          s.once('close', () => resolve(s));
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  cleanups.push(() => sockets.forEach((s) => s.destroy()));
  return sockets;
}

/** How many of the sockets are still open after the broker had `ms` to close the extra ones. */
async function stillOpen(sockets: Socket[], ms = 500): Promise<number> {
  await new Promise((r) => setTimeout(r, ms));
  return sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
}

describe('connection caps', () => {
  it('closes connections past the per-address cap at once; other addresses still connect', async () => {
    const logs: Record<string, unknown>[] = [];
    const sys = await startSystem({
      maxConnectionsPerAddress: 20,
      log: (event, fields) => logs.push({ event, ...fields }),
    });
    cleanups.push(() => sys.close());
    const sockets = await openIdle(sys.broker.ports.mqtt, 25, '127.0.0.2');
    expect(await stillOpen(sockets)).toBe(20);
    const creds = await sys.devices.add({ deviceId: 'cap-box' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'cap-box' });
    expect(await publishOutcome(box, nativeTopic('cap-box', 'status'), '{"online":true}')).toBe(
      'acked',
    );
    await box.endAsync();
    // One line for the five, not five lines.
    const refused = logs.filter((l) => l.event === 'connection-refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ remote: '127.0.0.2', refused: 1 });
    expect(sys.broker.tracked.connectionsRefused).toBe(5);
  });

  it('closes connections past the total cap at once', async () => {
    const sys = await startSystem({ maxConnections: 10, maxConnectionsPerAddress: 0 });
    cleanups.push(() => sys.close());
    const sockets = await openIdle(sys.broker.ports.mqtt, 15, '127.0.0.3');
    expect(await stillOpen(sockets)).toBe(10);
  });

  it('airbox serve under a 2,048 open-files limit keeps HTTP and MQTT up against 2,100 idle sockets', async () => {
    const dir = tempDir('caps-serve');
    cleanups.push(dir.remove);
    const [creds] = await registerIn(join(dir.path, 'devices.db'), ['fd-box']);
    // `ulimit -n` as a unit's LimitNOFILE would set it; the test itself keeps its own.
    const { child, line } = await spawnUntil(
      'sh',
      ['-c', 'ulimit -n 2048 && exec "$@"', 'sh', process.execPath, AIRBOX_BIN, 'serve']
        .concat(['--host', '127.0.0.1', '--data-dir', dir.path, '--no-refit'])
        .concat(['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0']),
      /"event":"listening"/,
      60_000,
    );
    cleanups.push(() => stopChild(child));
    const { ports } = JSON.parse(line) as { ports: { mqtt: number; http: number } };
    const sockets = await openIdle(ports.mqtt, 2100, '127.0.0.2');
    await new Promise((r) => setTimeout(r, 1000));
    const health = await fetch(`http://127.0.0.1:${ports.http}/healthz`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(health.status).toBe(200);
    expect(await stillOpen(sockets)).toBeLessThanOrEqual(1000);
    const box = await connect(`mqtt://127.0.0.1:${ports.mqtt}`, {
      ...creds,
      clientId: 'fd-box',
      connectTimeout: 5000,
    });
    expect(await publishOutcome(box, nativeTopic('fd-box', 'status'), '{"online":true}')).toBe(
      'acked',
    );
    await box.endAsync();
  }, 120_000);
});
