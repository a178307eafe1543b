import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createServer as createNetServer,
  type AddressInfo,
  type Server as NetServer,
} from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { readFileSync } from 'node:fs';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { Aedes } from 'aedes';

export interface ListenOptions {
  host: string;
  /** MQTT over TCP; 0 picks a free port. */
  mqttPort: number;
  /** MQTT over WebSocket (path /mqtt); null for none. */
  wsPort: number | null;
  /** MQTT over TLS when a certificate is given. */
  tls: { certFile: string; keyFile: string; port: number } | null;
}

export interface BoundPorts {
  mqtt: number;
  ws: number | null;
  tls: number | null;
}

export interface Listeners {
  ports: BoundPorts;
  close(): Promise<void>;
}

/** Binds the transports Aedes serves: TCP, WebSocket and TLS, each optional but TCP. */
export async function listen(aedes: Aedes, opts: ListenOptions): Promise<Listeners> {
  const servers: (NetServer | HttpServer)[] = [];
  const handle = aedes.handle.bind(aedes);
  const tcp = createNetServer(handle);
  servers.push(tcp);
  const ports: BoundPorts = {
    mqtt: await bind(tcp, opts.host, opts.mqttPort),
    ws: null,
    tls: null,
  };

  let wss: WebSocketServer | null = null;
  if (opts.wsPort !== null) {
    const http = createHttpServer();
    wss = new WebSocketServer({ server: http, path: '/mqtt' });
    wss.on('connection', (socket) => handle(createWebSocketStream(socket)));
    servers.push(http);
    ports.ws = await bind(http, opts.host, opts.wsPort);
  }
  if (opts.tls !== null) {
    const secure = createTlsServer(
      { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) },
      handle,
    );
    servers.push(secure);
    ports.tls = await bind(secure, opts.host, opts.tls.port);
  }
  return {
    ports,
    async close() {
      wss?.close();
      await Promise.all(
        servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

function bind(server: NetServer | HttpServer, host: string, port: number): Promise<number> {
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
