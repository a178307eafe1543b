import { connect as tcpConnect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nativeTopic } from '@airbox/protocol';
import { AIRBOX_BIN, spawnUntil, stopChild, tempDir, waitFor } from '@airbox/testkit';
import { startSystem, type SystemOptions, type TestSystem } from './system.ts';
import { connect, publishOutcome } from './clients.ts';
import { connectPacket, publishPacket } from './wire.ts';

/**
 * A connection that has not sent its CONNECT costs the server memory and a file descriptor,
 * and no login bounds it: the broker closes it after --connect-timeout and keeps at most
 * --max-pending-connections of them. Real sockets on 127.0.0.1 against the real broker.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Logged = { event: string } & Record<string, unknown>;

async function system(opts: SystemOptions): Promise<{ sys: TestSystem; logs: Logged[] }> {
  const logs: Logged[] = [];
  const sys = await startSystem({
    ...opts,
    log: (event, fields) => logs.push({ event, ...fields }),
  });
  cleanups.push(() => sys.close());
  return { sys, logs };
}

/** An open TCP connection that sends nothing unless told. */
function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    cleanups.push(() => void socket.destroy());
  });
}

/** Resolves true once the server closed the socket, false if it is still open after `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Everything the server sends on the socket, once it is `bytes` long. */
function received(socket: Socket, bytes: number): Promise<number[]> {
  const seen: number[] = [];
  return new Promise((resolve) => {
    socket.on('data', (b: Buffer) => {
      seen.push(...b);
      if (seen.length >= bytes) resolve(seen);
    });
    socket.once('close', () => resolve(seen));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('connections without a CONNECT', () => {
  it('a socket that never sends CONNECT is closed after --connect-timeout, logged and counted', async () => {
    const { sys, logs } = await system({ connectTimeoutMs: 300 });
    const silent = await open(sys.broker.ports.mqtt);
    // Aedes' own timer would wait 30 s.
    expect(await closedWithin(silent, 10_000)).toBe(true);
    expect(logs).toContainEqual(
      expect.objectContaining({ event: 'connection-closed', code: 'connect-timeout' }),
    );
    expect(sys.broker.tracked.connectTimeouts).toBe(1);
    expect(sys.broker.tracked.pendingConnections).toBe(0);
  });

  it('half a CONNECT, then silence, is closed too; a box logged in stays past the timeout', async () => {
    const { sys } = await system({ connectTimeoutMs: 300 });
    const creds = await sys.devices.add({ deviceId: 'slow-box' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'slow-box' });
    cleanups.push(() => box.endAsync(true));
    const stalled = await open(sys.broker.ports.mqtt);
    stalled.write(connectPacket('x', 'y', 'z').subarray(0, 10));
    expect(await closedWithin(stalled, 10_000)).toBe(true);
    expect(await publishOutcome(box, nativeTopic('slow-box', 'status'), '{"online":true}')).toBe(
      'acked',
    );
  });

  it('a WebSocket port that gets no upgrade request closes the socket at the timeout', async () => {
    const { sys } = await system({ connectTimeoutMs: 300 });
    const silent = await open(sys.broker.ports.ws!);
    expect(await closedWithin(silent, 10_000)).toBe(true);
    expect(sys.broker.tracked.connectTimeouts).toBe(1);
  });

  it('a CONNECT sent a few bytes at a time, with a PUBLISH in its last write, is served', async () => {
    const { sys } = await system({ connectTimeoutMs: 10_000 });
    const creds = await sys.devices.add({ deviceId: 'drip-box' });
    const socket = await open(sys.broker.ports.mqtt);
    const connect = connectPacket('drip-box', creds.username, creds.password);
    const cut = connect.length - 3;
    for (let i = 0; i < cut; i += 3) {
      socket.write(connect.subarray(i, Math.min(i + 3, cut)));
      await sleep(5);
    }
    const reading = JSON.stringify({ time: new Date().toISOString(), pm25UgM3: 7 });
    const answers = received(socket, 8);
    socket.write(
      Buffer.concat([
        connect.subarray(cut),
        publishPacket(nativeTopic('drip-box', 'reading'), reading),
      ]),
    );
    // CONNACK, accepted; PUBACK of packet 1, once stored.
    expect(await answers).toEqual([0x20, 0x02, 0x00, 0x00, 0x40, 0x02, 0x00, 0x01]);
    expect(await sys.store.latest({ deviceIds: ['drip-box'] })).toMatchObject([{ pm25UgM3: 7 }]);
  });
});

describe('--max-pending-connections', () => {
  it('refuses a new connection while those waiting are young, with a log line', async () => {
    const { sys, logs } = await system({ maxPendingConnections: 3, connectTimeoutMs: 60_000 });
    const waiting = await Promise.all([1, 2, 3].map(() => open(sys.broker.ports.mqtt)));
    const extra = await open(sys.broker.ports.mqtt);
    expect(await closedWithin(extra, 5000)).toBe(true);
    expect(waiting.some((s) => s.destroyed)).toBe(false);
    expect(logs).toContainEqual(
      expect.objectContaining({
        event: 'connection-closed',
        code: 'pending-cap',
        maxPendingConnections: 3,
      }),
    );
    expect(sys.broker.tracked.pendingCapClosed).toBe(1);
    expect(sys.broker.tracked.pendingConnections).toBe(3);
  });

  it('lets a box in when the cap is full of sockets that have waited: the oldest goes', async () => {
    const { sys } = await system({ maxPendingConnections: 3, connectTimeoutMs: 60_000 });
    const waiting: Socket[] = [];
    for (let i = 0; i < 3; i++) waiting.push(await open(sys.broker.ports.mqtt));
    await sleep(1200);
    const creds = await sys.devices.add({ deviceId: 'late-box' });
    const box = await connect(sys.mqttUrl, { ...creds, clientId: 'late-box' });
    cleanups.push(() => box.endAsync(true));
    expect(await publishOutcome(box, nativeTopic('late-box', 'status'), '{"online":true}')).toBe(
      'acked',
    );
    expect(await closedWithin(waiting[0]!, 5000)).toBe(true);
    expect(waiting.slice(1).some((s) => s.destroyed)).toBe(false);
  });
});

describe('airbox serve --connect-timeout --max-pending-connections', () => {
  it('closes silent sockets as the flags say, logs why on stderr and counts them on /metrics', async () => {
    const dir = tempDir('pending-serve');
    cleanups.push(dir.remove);
    const { child, line, stderr } = await spawnUntil(
      process.execPath,
      [AIRBOX_BIN, 'serve', '--host', '127.0.0.1', '--data-dir', dir.path, '--no-refit']
        .concat(['--mqtt-port', '0', '--ws-port', '0', '--http-port', '0'])
        .concat(['--connect-timeout', '0.5', '--max-pending-connections', '2']),
      /"event":"listening"/,
      60_000,
    );
    cleanups.push(() => stopChild(child));
    const { ports } = JSON.parse(line) as { ports: { mqtt: number; http: number } };
    const waiting = [await open(ports.mqtt), await open(ports.mqtt)];
    const refused = await open(ports.mqtt);
    expect(await closedWithin(refused, 5000)).toBe(true);
    for (const socket of waiting) expect(await closedWithin(socket, 10_000)).toBe(true);
    const series = (text: string, reason: string) =>
      Number(
        new RegExp(
          `^airbox_connections_closed_before_connect_total\\{reason="${reason}"\\} (\\d+)$`,
          'm',
        ).exec(text)?.[1],
      );
    const metrics = await waitFor('both closes on /metrics', async () => {
      const text = await (await fetch(`http://127.0.0.1:${ports.http}/metrics`)).text();
      return series(text, 'connect-timeout') === 2 ? text : undefined;
    });
    expect(series(metrics, 'pending-cap')).toBe(1);
    expect(metrics).toMatch(/^airbox_connections_pending 0$/m);
    expect(stderr()).toMatch(/"event":"connection-closed".*"code":"pending-cap"/);
    expect(stderr()).toMatch(/"event":"connection-closed".*"code":"connect-timeout"/);
  }, 90_000);
});
