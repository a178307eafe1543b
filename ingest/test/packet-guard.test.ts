import { connect, type Socket } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PacketHeaderReader, type PacketLimits } from '../src/broker/packet-guard.ts';
import { startSystem, type TestSystem } from './system.ts';
import { connectPacket, remainingLength, str } from './wire.ts';

const LIMITS: PacketLimits = { maxPacketBytes: 1000, maxConnectBytes: 100 };

describe('PacketHeaderReader', () => {
  const valid = Buffer.concat([
    connectPacket('box-1', 'box-1', 'secret'),
    Buffer.from([0x30, ...remainingLength(10), ...str('a/b'), 1, 2, 3, 4, 5]), // PUBLISH QoS 0
    Buffer.from([0xc0, 0x00]), // PINGREQ
    Buffer.from([0x30, ...remainingLength(900), ...new Array<number>(900).fill(7)]),
  ]);

  it('lets a valid stream through however it is cut into chunks', () => {
    for (let cut = 1; cut < valid.length; cut += 7) {
      const reader = new PacketHeaderReader(LIMITS);
      expect(reader.read(valid.subarray(0, cut))).toBeNull();
      expect(reader.read(valid.subarray(cut))).toBeNull();
    }
    const byteByByte = new PacketHeaderReader(LIMITS);
    for (const b of valid) expect(byteByByte.read(Buffer.from([b]))).toBeNull();
  });

  it.each([
    [
      'a CONNECT declaring 256 MB, at its length bytes',
      [0x10, 0xff, 0xff, 0xff, 0x7f],
      { code: 'packet-too-large', declaredBytes: 268_435_455, limitBytes: 100, connected: false },
    ],
    ['a PUBLISH before any CONNECT', [0x30, 0x02, 0, 0], { code: 'not-connect-first' }],
    [
      'a remaining length of five bytes',
      [0x10, 0x80, 0x80, 0x80, 0x80, 0x01],
      { code: 'malformed-length' },
    ],
  ])('stops %s', (_what, bytes, expected) => {
    expect(new PacketHeaderReader(LIMITS).read(Buffer.from(bytes))).toMatchObject(expected);
  });

  it('stops a connected client’s packet over the limit at its header', () => {
    const reader = new PacketHeaderReader(LIMITS);
    expect(reader.read(connectPacket('box-1'))).toBeNull();
    expect(reader.read(Buffer.from([0x30, ...remainingLength(1001)]))).toEqual({
      code: 'packet-too-large',
      declaredBytes: 1001,
      limitBytes: 1000,
      connected: true,
    });
  });
});

describe('the broker closes oversized packets before buffering them', () => {
  let sys: TestSystem;
  const logged: { event: string; fields: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    sys = await startSystem({
      maxPayloadBytes: 4096,
      log: (event, fields) => logged.push({ event, fields }),
    });
  });
  afterAll(() => sys.close());

  /** Writes `header`, then 1 MiB chunks until the server closes; returns the bytes it took. */
  async function flood(socket: Socket, header: Buffer, maxMiB: number): Promise<number> {
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
    socket.write(header);
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x41);
    while (!socket.destroyed && sent < maxMiB * chunk.length) {
      const ok = socket.write(chunk);
      sent += chunk.length;
      if (!ok) await Promise.race([new Promise((r) => socket.once('drain', r)), closed]);
    }
    await closed;
    return sent;
  }

  const tcp = () =>
    new Promise<Socket>((resolve) => {
      const s = connect(sys.broker.ports.mqtt, '127.0.0.1', () => resolve(s));
    });

  it('a CONNECT declaring 256 MB is cut off at its header, and the log says why', async () => {
    const sent = await flood(await tcp(), Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]), 256);
    // The server closed long before 256 MiB went in (a few MiB may be in the socket buffers).
    expect(sent).toBeLessThan(32 * 1024 * 1024);
    expect(logged).toContainEqual({
      event: 'connection-closed',
      fields: expect.objectContaining({ transport: 'tcp', code: 'packet-too-large' }),
    });
  });

  it('a logged-in box’s 100 MB PUBLISH is cut off at its header; the box can connect again', async () => {
    const { username, password } = await sys.devices.add({ deviceId: 'guard-box' });
    const socket = await tcp();
    const connack = new Promise<Buffer>((r) => socket.once('data', r));
    socket.write(connectPacket('guard-box', username, password));
    expect([...(await connack)]).toEqual([0x20, 0x02, 0x00, 0x00]);
    const header = Buffer.from([0x30, ...remainingLength(100 * 1024 * 1024)]);
    expect(await flood(socket, header, 100)).toBeLessThan(32 * 1024 * 1024);

    const client = await mqtt.connectAsync(sys.mqttUrl, {
      clientId: 'guard-box',
      username,
      password,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    const reading = JSON.stringify({ time: new Date().toISOString(), pm25UgM3: 5 });
    await client.publishAsync('airbox/v1/guard-box/reading', reading, { qos: 1 });
    await client.endAsync();
    expect(await sys.store.latest({ deviceIds: ['guard-box'] })).toMatchObject([{ pm25UgM3: 5 }]);
  });

  it('over WebSocket, a frame larger than any packet is refused from its header (1009)', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${sys.broker.ports.ws}/mqtt`, 'mqtt');
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('error', () => {});
    ws.send(Buffer.alloc(8 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});
