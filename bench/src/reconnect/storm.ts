/**
 * The client side of a reconnect storm: every box opens its MQTT connection at the same
 * moment, as a fleet does when its broker comes back. Bare sockets and a pre-built CONNECT
 * (MQTT 3.1.1, keepalive off) per box, so 15,000 of them fit in this one process and what is
 * measured is the broker, not a client library.
 */
import { connect, type Socket } from 'node:net';
import { connectPacket } from '../raw-client.ts';
import { percentile } from '../proc.ts';

/** A box's login, as the registry issued it. */
export interface BoxLogin {
  deviceId: string;
  username: string;
  password: string;
}

export interface StormOptions {
  port: number;
  /**
   * The first octets of the loopback addresses the boxes connect from (`127.1.1` → 127.1.1.1,
   * 127.1.1.2, …): each address has its own ~28,000 ephemeral ports, so two storms in a row
   * (and the TIME_WAITs the first leaves) never run this host out of them.
   */
  sourcePrefix: string;
  /** Boxes that give up without a CONNACK after this long count as failed. */
  deadlineMs: number;
}

export interface StormResult {
  boxes: number;
  /** CONNACK with return code 0. */
  accepted: number;
  /** CONNACK with another return code (MQTT 3.1.1 §3.2.2.3), by code. */
  refused: number;
  refusedByCode: Record<string, number>;
  /** No CONNACK: the socket failed or closed, or the deadline passed; by reason. */
  failed: number;
  failedByReason: Record<string, number>;
  /** From the first connect() to the last CONNACK. */
  lastConnackMs: number;
  /** Each box from its own connect() to its CONNACK. */
  p50ConnackMs: number;
  p99ConnackMs: number;
  maxConnackMs: number;
  /** Each box from its connect() to the TCP handshake: past ~1 s the listen backlog overflowed. */
  p99TcpConnectMs: number;
}

/** Connections from one source address; well under its ephemeral port range. */
const PER_SOURCE = 5000;

type Outcome =
  { kind: 'accepted' } | { kind: 'refused'; code: number } | { kind: 'failed'; reason: string };

/**
 * Opens one connection per login, all at once, and waits until every one has a CONNACK, has
 * failed, or the deadline passed. Accepted sockets stay open (the caller closes them, or the
 * broker does when it stops); the others are destroyed.
 */
export async function reconnectStorm(
  logins: readonly BoxLogin[],
  o: StormOptions,
): Promise<{ result: StormResult; sockets: Socket[] }> {
  // Built before the clock starts: encoding is the client's cost, not the broker's.
  const packets = logins.map((l) => connectPacket(l.deviceId, l.username, l.password));
  const sockets: Socket[] = [];
  const connackMs: number[] = [];
  const tcpMs: number[] = [];
  const outcomes: Outcome[] = [];
  const pending = new Set<Socket>();
  const t0 = performance.now();
  let lastConnack = t0;
  const all = packets.map((packet, i) =>
    openOne(packet, `${o.sourcePrefix}.${1 + Math.floor(i / PER_SOURCE)}`, o.port, pending).then(
      ({ socket, outcome, startedAt, connectedAt, answeredAt }) => {
        outcomes.push(outcome);
        if (connectedAt !== null) tcpMs.push(connectedAt - startedAt);
        if (outcome.kind === 'accepted') {
          sockets.push(socket);
          connackMs.push(answeredAt - startedAt);
          lastConnack = Math.max(lastConnack, answeredAt);
        } else socket.destroy();
      },
    ),
  );
  const timer = setTimeout(() => {
    const late = new Error(`no CONNACK within ${o.deadlineMs / 1000} s`);
    for (const s of pending) s.destroy(late);
  }, o.deadlineMs);
  await Promise.all(all);
  clearTimeout(timer);
  return { result: summarise(outcomes, connackMs, tcpMs, lastConnack - t0), sockets };
}

/** One box's connection; `pending` holds it until it is answered, so the deadline can end it. */
function openOne(packet: Buffer, localAddress: string, port: number, pending: Set<Socket>) {
  const startedAt = performance.now();
  let connectedAt: number | null = null;
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  pending.add(socket);
  socket.setNoDelay(true);
  socket.once('connect', () => (connectedAt = performance.now()));
  // Written at once: Node sends it as soon as the handshake completes.
  socket.write(packet);
  return new Promise<{
    socket: Socket;
    outcome: Outcome;
    startedAt: number;
    connectedAt: number | null;
    answeredAt: number;
  }>((resolve) => {
    let error = '';
    const settle = (outcome: Outcome) => {
      pending.delete(socket);
      socket.removeAllListeners('data');
      resolve({ socket, outcome, startedAt, connectedAt, answeredAt: performance.now() });
    };
    // A CONNACK is 4 bytes, 0x20 0x02 flags code, and the first thing a broker sends.
    socket.once('data', (d: Buffer) => {
      if (d[0] !== 0x20) return settle({ kind: 'failed', reason: 'not a CONNACK' });
      const code = d[3] ?? -1;
      settle(code === 0 ? { kind: 'accepted' } : { kind: 'refused', code });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    // Whether the handshake had completed tells a full listen queue from a broker that
    // took the connection and then dropped it.
    socket.once('close', () =>
      settle({
        kind: 'failed',
        reason: `${error || 'closed before CONNACK'} ${connectedAt === null ? 'before' : 'after'} the TCP handshake`,
      }),
    );
  });
}

function summarise(
  outcomes: Outcome[],
  connackMs: number[],
  tcpMs: number[],
  lastConnackMs: number,
): StormResult {
  const refusedByCode: Record<string, number> = {};
  const failedByReason: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.kind === 'refused') refusedByCode[o.code] = (refusedByCode[o.code] ?? 0) + 1;
    if (o.kind === 'failed') failedByReason[o.reason] = (failedByReason[o.reason] ?? 0) + 1;
  }
  const count = (kind: Outcome['kind']) => outcomes.filter((o) => o.kind === kind).length;
  const ms = (n: number) => Math.round(n);
  return {
    boxes: outcomes.length,
    accepted: count('accepted'),
    refused: count('refused'),
    refusedByCode,
    failed: count('failed'),
    failedByReason,
    lastConnackMs: ms(connackMs.length ? lastConnackMs : NaN),
    p50ConnackMs: ms(percentile(connackMs, 50)),
    p99ConnackMs: ms(percentile(connackMs, 99)),
    maxConnackMs: ms(percentile(connackMs, 100)),
    p99TcpConnectMs: ms(percentile(tcpMs, 99)),
  };
}
