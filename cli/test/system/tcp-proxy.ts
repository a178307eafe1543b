import { connect, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that the test controls: it forwards bytes both ways until
 * `cut()`, which destroys every connection and refuses new ones (accepted and closed at
 * once, as a dead uplink looks to a device that keeps redialling), until `restore()`.
 */
export interface TcpProxy {
  url: string;
  /** Connections through the proxy right now. */
  readonly connections: number;
  cut(): void;
  /** Until the next `cut()`: forward device → broker only, so PUBACKs never arrive. */
  dropReplies(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, scheme = 'mqtt'): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let cut = false;
  let dropReplies = false;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      if (!dropReplies) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const destroyAll = () => {
    for (const [client, upstream] of pairs) {
      client.destroy();
      upstream.destroy();
    }
    pairs.clear();
  };
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    cut() {
      cut = true;
      dropReplies = false;
      destroyAll();
    },
    dropReplies() {
      dropReplies = true;
    },
    restore() {
      cut = false;
    },
    async close() {
      destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
