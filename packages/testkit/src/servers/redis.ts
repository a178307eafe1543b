import { freePort } from '../process.ts';
import { redisArgs, tcpAnswers } from './configs.ts';
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
    args: redisArgs(dir, port),
    port,
    dir,
    url: `redis://127.0.0.1:${port}/0`,
    ready: () => tcpAnswers(port, 'PING\r\n', (reply) => reply.startsWith('+PONG')),
  });
}
