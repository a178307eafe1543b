import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../process.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/**
 * Debian's HAProxy as the one MQTT address in front of several brokers, configured like
 * deploy/cluster/haproxy.cfg: TCP mode, least connections, a broker checked every 300 ms and
 * its sessions shut when it is marked down, so devices reconnect to one that is up.
 */
export async function startHaproxy(
  backendPorts: number[],
  binary = 'haproxy',
): Promise<TestServer> {
  const [port, dir] = await Promise.all([freePort(), makeServerDir('haproxy')]);
  const config = join(dir, 'haproxy.cfg');
  await writeFile(
    config,
    [
      'global',
      '  maxconn 8000',
      'defaults',
      '  mode tcp',
      '  timeout connect 2s',
      '  timeout client 10m',
      '  timeout server 10m',
      'frontend mqtt',
      `  bind 127.0.0.1:${port}`,
      '  default_backend brokers',
      'backend brokers',
      '  balance leastconn',
      '  default-server check inter 300ms fall 1 rise 2 on-marked-down shutdown-sessions',
      ...backendPorts.map((p, i) => `  server broker${i} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  return startManagedServer({
    name: 'haproxy',
    binary,
    args: ['-f', config, '-db'],
    port,
    dir,
    url: `mqtt://127.0.0.1:${port}`,
    ready: () => tcpOpen(port),
  });
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => resolve(false));
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });
}
