import { createServer as createHttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';
import type { Duplex } from 'node:stream';
import {
  ConnectionCaps,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  defaultMaxConnections,
} from './connection-caps.ts';
import {
  guardPackets,
  holdUntilConnect,
  type PacketLimits,
  type PacketViolation,
} from './packet-guard.ts';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  PendingConnections,
  type PendingCloseCode,
  type Peer,
} from './pending-connections.ts';

export interface ListenOptions {
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  mqttPort: number;
  /** MQTT over WebSocket (path /mqtt); null for none. */
  wsPort: number | null;
  /** MQTT over TLS when a certificate is given. */
  tls: { certFile: string; keyFile: string; port: number } | null;
  /** Largest PUBLISH payload accepted; packets are capped a topic's worth above it. */
  maxPayloadBytes?: number;
  /** Largest first packet (the CONNECT). Default 16 KiB. */
  maxConnectBytes?: number;
  /**
   * Open connections at most, all listeners together; default the open-files limit less a
   * reserve (connection-caps.ts).
   */
  maxConnections?: number;
  /** Open connections at most from one address (default 1,000); 0 = none, behind a TCP proxy. */
  maxConnectionsPerAddress?: number;
  /** A connection without a whole CONNECT this long after it was accepted is closed (10 s). */
  connectTimeoutMs?: number;
  /** Connections waiting for their CONNECT at most, all listeners together (default 1,000). */
  maxPendingConnections?: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** MQTT 3.1.1 §3.3.2: a topic name is at most 65,535 bytes, with its 2-byte length and packet id. */
const PUBLISH_OVERHEAD_BYTES = 65_535 + 2 + 2;
const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * A CONNECT holds a client id, a login and a will: ours are well under 1 KiB. The first
 * packet is read before anyone has logged in, so its ceiling is what every idle connection
 * may cost.
 */
export const DEFAULT_MAX_CONNECT_BYTES = 16 * 1024;

export function packetLimits(opts: ListenOptions): PacketLimits {
  return {
    maxPacketBytes: (opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES) + PUBLISH_OVERHEAD_BYTES,
    maxConnectBytes: opts.maxConnectBytes ?? DEFAULT_MAX_CONNECT_BYTES,
  };
}

export interface BoundPorts {
  mqtt: number;
  ws: number | null;
  tls: number | null;
}

export interface Listeners {
  ports: BoundPorts;
  /** Connections the caps refused (for /metrics). */
  readonly refusedTotal: number;
  /** Connections waiting for their CONNECT now (for /metrics). */
  readonly pendingConnections: number;
  /** Connections closed before their CONNECT, by why (for /metrics). */
  readonly closedBeforeConnect: Readonly<Record<PendingCloseCode, number>>;
  close(): Promise<void>;
}

/**
 * Hands a connection, admitted and of a transport, to Aedes; `peer` is the TCP connection it
 * runs on (the socket, or the TLS socket over it), by which its wait for CONNECT is known.
 */
type Handle = (conn: Duplex, transport: string, peer: Peer) => void;

/**
 * Binds the transports Aedes serves: TCP, WebSocket and TLS, each optional but TCP. Every
 * port is a plain TCP server that counts connections against the caps first
 * (connection-caps.ts), then as waiting for their CONNECT (pending-connections.ts);
 * WebSocket and TLS then get the admitted socket, as Node's http and tls servers take one
 * handed to them with emit('connection').
 */
export async function listen(aedes: Aedes, opts: ListenOptions): Promise<Listeners> {
  const servers: NetServer[] = [];
  const limits = packetLimits(opts);
  const caps = connectionCaps(opts);
  const pending = pendingConnections(opts);
  const capped = (next: (socket: Socket) => void) => {
    const server = createNetServer((socket) => {
      if (caps.admit(socket) && pending.admit(socket)) next(socket);
    });
    servers.push(server);
    return server;
  };
  const handle = guardedHandle(aedes, limits, pending, opts.log);
  const tcp = capped((socket) => handle(socket, 'tcp', socket));
  const ports: BoundPorts = {
    mqtt: await bind(tcp, opts.host, opts.mqttPort),
    ws: null,
    tls: null,
  };
  const ws = opts.wsPort === null ? null : webSocketServer(limits, handle);
  if (ws !== null && opts.wsPort !== null) {
    const upgrades = capped((socket) => ws.http.emit('connection', socket));
    ports.ws = await bind(upgrades, opts.host, opts.wsPort);
  }
  if (opts.tls !== null) {
    const secure = tlsServer(opts.tls, handle);
    ports.tls = await bind(
      capped((socket) => secure.emit('connection', socket)),
      opts.host,
      opts.tls.port,
    );
  }
  return {
    ports,
    get refusedTotal() {
      return caps.refusedTotal;
    },
    get pendingConnections() {
      return pending.size;
    },
    closedBeforeConnect: pending.closedTotal,
    async close() {
      pending.stop();
      ws?.wss.close();
      ws?.http.closeAllConnections();
      await Promise.all(
        servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

function connectionCaps(opts: ListenOptions): ConnectionCaps {
  return new ConnectionCaps({
    maxConnections: opts.maxConnections ?? defaultMaxConnections(),
    maxPerAddress: opts.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
    log: opts.log,
  });
}

function pendingConnections(opts: ListenOptions): PendingConnections {
  return new PendingConnections({
    timeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    maxPending: opts.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS,
    log: opts.log,
  });
}

/**
 * Aedes gets the connection once its CONNECT has arrived whole; the packet guard watches
 * every packet before and after (packet-guard.ts).
 */
function guardedHandle(
  aedes: Aedes,
  limits: PacketLimits,
  pending: PendingConnections,
  log: ListenOptions['log'],
): Handle {
  return (conn, transport, peer) => {
    const closed = (violation: PacketViolation) =>
      log?.('connection-closed', { transport, remote: peer.remoteAddress, ...violation });
    holdUntilConnect(conn, limits, closed, () => {
      pending.arrived(peer);
      aedes.handle(conn);
      guardPackets(conn, limits, closed);
    });
  };
}

/** MQTT over WebSocket at /mqtt: an http server that is handed its sockets, never bound. */
function webSocketServer(limits: PacketLimits, handle: Handle) {
  const http = createHttpServer();
  // ws refuses a frame longer than a packet (+ its fixed header, at most 5 bytes) from the
  // frame's header, before buffering it (close 1009).
  const wss = new WebSocketServer({
    server: http,
    path: '/mqtt',
    maxPayload: limits.maxPacketBytes + 5,
  });
  wss.on('connection', (socket, request) =>
    handle(createWebSocketStream(socket), 'ws', request.socket),
  );
  return { http, wss };
}

/** MQTT over TLS: a tls server that is handed its sockets, never bound. */
function tlsServer(tls: NonNullable<ListenOptions['tls']>, handle: Handle) {
  return createTlsServer(
    { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    (socket) => handle(socket, 'tls', socket),
  );
}

/**
 * Connections the kernel completes and queues before the broker accepts them: as many as the
 * host allows (Linux caps it at net.core.somaxconn, 4,096 by default). Node's own 511 overflows
 * when a fleet reconnects at once: the kernel drops the handshake's last step, a box retries
 * after 1, 2, 4, 8… s, and some get reset. `airbox bench reconnect`, 15,000 boxes: with 511,
 * 19–73 s and 124–642 reset in 6 of 7 storms; with 4,096, 14–40 s and resets in 5 of 29.
 */
const LISTEN_BACKLOG = 65_535;

function bind(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `port ${port} on ${host} is already in use: stop what holds it, or pick another port`
            : `cannot listen on ${host}:${port}: ${e.message}`,
        ),
      ),
    );
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () =>
      resolve((server.address() as AddressInfo).port),
    );
  });
}
