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
import { guardPackets, type PacketLimits } from './packet-guard.ts';

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
  close(): Promise<void>;
}

/** Hands a connection, admitted and of a transport, to Aedes. */
type Handle = (conn: Duplex, transport: string, remote: string | undefined) => void;

/**
 * Binds the transports Aedes serves: TCP, WebSocket and TLS, each optional but TCP. Every
 * port is a plain TCP server that counts connections against the caps first
 * (connection-caps.ts); WebSocket and TLS then get the admitted socket, as Node's http and
 * tls servers take one handed to them with emit('connection').
 */
export async function listen(aedes: Aedes, opts: ListenOptions): Promise<Listeners> {
  const servers: NetServer[] = [];
  const limits = packetLimits(opts);
  const caps = connectionCaps(opts);
  const capped = (next: (socket: Socket) => void) => {
    const server = createNetServer((socket) => {
      if (caps.admit(socket)) next(socket);
    });
    servers.push(server);
    return server;
  };
  const handle = guardedHandle(aedes, limits, opts.log);
  const tcp = capped((socket) => handle(socket, 'tcp', socket.remoteAddress));
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
    async close() {
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

/** Aedes reads the connection; the packet guard watches what it reads (packet-guard.ts). */
function guardedHandle(aedes: Aedes, limits: PacketLimits, log: ListenOptions['log']): Handle {
  return (conn, transport, remote) => {
    aedes.handle(conn);
    guardPackets(conn, limits, (violation) =>
      log?.('connection-closed', { transport, remote, ...violation }),
    );
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
    handle(createWebSocketStream(socket), 'ws', request.socket.remoteAddress),
  );
  return { http, wss };
}

/** MQTT over TLS: a tls server that is handed its sockets, never bound. */
function tlsServer(tls: NonNullable<ListenOptions['tls']>, handle: Handle) {
  return createTlsServer(
    { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) },
    (socket) => handle(socket, 'tls', socket.remoteAddress),
  );
}

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
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
