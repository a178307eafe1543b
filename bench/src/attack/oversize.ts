/**
 * The oversize attacks: a packet or frame header declaring hundreds of MB, then the bytes
 * poured after it, on several connections at once. A server that buffers a packet until it
 * is complete holds all of it; the broker's packet guard and ws's maxPayload close the
 * connection from the header instead (ingest/src/broker/packet-guard.ts, listeners.ts).
 */
import { openMqtt } from './mqtt.ts';
import type { Attack, AttackOutcome, AttackTarget } from './types.ts';
import {
  openSocket,
  openWebSocket,
  pour,
  remainingLength,
  watchCloseCode,
  wsBinaryFrameHeader,
  type Poured,
} from './wire.ts';

const MIB = 1024 * 1024;
const mib = (bytes: number) => `${Number((bytes / MIB).toFixed(1))} MiB`;
const mb = (bytes: number) => `${Number((bytes / 1e6).toFixed(1))} MB`;

/** A CONNECT (type 1) declaring the largest remaining length MQTT 3.1.1 can express. */
const HUGE_CONNECT_HEADER = Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f]);

/** `a–b` of the values, or `a` when they are all the same. */
function range(values: number[], unit: (n: number) => string): string {
  const [low, high] = [unit(Math.min(...values)), unit(Math.max(...values))];
  return low === high ? low : `${low}–${high}`;
}

/** What the connections of one oversize attack saw, as words and counts. */
function pouredOutcome(what: string, poured: Poured[], extra: AttackOutcome['details'] = {}) {
  const sent = poured.map((p) => p.flushedBytes);
  const closed = poured.filter((p) => p.closedByServer).length;
  const slowestMs = Math.round(Math.max(0, ...poured.map((p) => p.ms)));
  return {
    said:
      `${closed} of ${poured.length} ${what} closed by the server; ` +
      `${range(sent, mib)} sent on each before that (kernel buffers included), the last closed after ${slowestMs} ms`,
    details: {
      connections: poured.length,
      closedByServer: closed,
      minSentBytes: Math.min(...sent),
      maxSentBytes: Math.max(...sent),
      totalSentBytes: sent.reduce((a, b) => a + b, 0),
      slowestCloseMs: slowestMs,
      ...extra,
    },
  };
}

export const hugeConnect: Attack = {
  name: 'huge-connect',
  title: (s) =>
    `raw TCP CONNECT declaring 256 MB (10 ff ff ff 7f), then up to ${mib(s.connectMaxBytes)} in ${mib(s.chunkBytes)} chunks, on ${s.connectSockets} sockets`,
  serveArgs: [],
  async run({ ports, sizes, deadlineMs }: AttackTarget) {
    const chunk = Buffer.alloc(sizes.chunkBytes, 0x41);
    const poured = await Promise.all(
      Array.from({ length: sizes.connectSockets }, async () => {
        const socket = await openSocket(ports.mqtt);
        socket.write(HUGE_CONNECT_HEADER);
        return pour(socket, chunk, sizes.connectMaxBytes, deadlineMs);
      }),
    );
    return pouredOutcome('sockets', poured, { maxBytesEach: sizes.connectMaxBytes });
  },
};

export const wsFrames: Attack = {
  name: 'ws-frames',
  title: (s) =>
    `WebSocket /mqtt: a binary frame declaring ${mb(s.wsFrameBytes)}, then its bytes, on ${s.wsConnections} connections`,
  serveArgs: [],
  async run({ ports, sizes, deadlineMs }: AttackTarget) {
    const chunk = Buffer.alloc(sizes.chunkBytes, 0x41);
    const results = await Promise.all(
      Array.from({ length: sizes.wsConnections }, async () => {
        const socket = await openWebSocket(ports.ws);
        const closeCode = watchCloseCode(socket);
        socket.write(wsBinaryFrameHeader(sizes.wsFrameBytes));
        const poured = await pour(socket, chunk, sizes.wsFrameBytes, deadlineMs);
        return { poured, closeCode: closeCode() };
      }),
    );
    const codes = [...new Set(results.map((r) => r.closeCode ?? 'none'))].join(', ');
    const outcome = pouredOutcome(
      'WebSocket connections',
      results.map((r) => r.poured),
      { frameBytes: sizes.wsFrameBytes, closeCodes: codes },
    );
    return { ...outcome, said: `${outcome.said}; close code ${codes}` };
  },
};

/**
 * A PUBLISH (QoS 1) of `payloadBytes` on the box's own reading topic: its header, topic and
 * packet id, the payload to follow.
 */
function hugePublishHead(deviceId: string, payloadBytes: number): Buffer {
  const topic = Buffer.from(`airbox/v1/${deviceId}/reading`);
  const variable = Buffer.alloc(2 + topic.length + 2);
  variable.writeUInt16BE(topic.length, 0);
  topic.copy(variable, 2);
  variable.writeUInt16BE(1, 2 + topic.length);
  return Buffer.concat([
    Buffer.from([0x32]),
    remainingLength(variable.length + payloadBytes),
    variable,
  ]);
}

export const hugePublish: Attack = {
  name: 'huge-publish',
  title: (s) =>
    `a registered box, logged in, sends a PUBLISH declaring ${mb(s.publishBytes)}, on ${s.publishConnections} connections`,
  serveArgs: [],
  async run({ ports, sizes, deadlineMs, logins }: AttackTarget) {
    const { deviceId, username, password } = logins.attacker;
    const chunk = Buffer.alloc(sizes.chunkBytes, 0x41);
    const head = hugePublishHead(deviceId, sizes.publishBytes);
    let loggedIn = 0;
    const poured = await Promise.all(
      Array.from({ length: sizes.publishConnections }, async (_, i) => {
        // A clean session under `<id>-<n>`: a box's own id may be held once at a time.
        const login = { clientId: `${deviceId}-${i}`, username, password };
        const socket = await openMqtt(ports.mqtt, login, 10_000);
        if (typeof socket === 'string') throw new Error(`huge-publish: login ${socket}`);
        loggedIn++;
        socket.write(head);
        return pour(socket, chunk, sizes.publishBytes, deadlineMs);
      }),
    );
    return pouredOutcome('logged-in connections', poured, {
      loggedIn,
      payloadBytes: sizes.publishBytes,
    });
  },
};
