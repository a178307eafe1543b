import { connect } from 'node:net';
import { freePort } from '../process.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/**
 * Debian's redis-server on a free 127.0.0.1 port with its own directory, configured as the
 * deployment guide says (appendonly, fsync every second), so kill()/restart() keeps what an
 * operator's Redis would keep. `url` is redis://127.0.0.1:PORT/0.
 */
export async function startRedis(binary = 'redis-server'): Promise<TestServer> {
  const [port, dir] = await Promise.all([freePort(), makeServerDir('redis')]);
  return startManagedServer({
    name: 'redis-server',
    binary,
    args: [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    port,
    dir,
    url: `redis://127.0.0.1:${port}/0`,
    ready: () => ping(port),
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
