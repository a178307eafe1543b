import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../process.ts';
import { haproxyConfig, tcpAnswers } from './configs.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/** Debian's HAProxy as the one MQTT address in front of the brokers (see `haproxyConfig`). */
export async function startHaproxy(
  backendPorts: number[],
  binary = 'haproxy',
): Promise<TestServer> {
  const [port, dir] = await Promise.all([freePort(), makeServerDir('haproxy')]);
  const config = join(dir, 'haproxy.cfg');
  await writeFile(config, haproxyConfig(port, backendPorts));
  return startManagedServer({
    name: 'haproxy',
    binary,
    args: ['-f', config, '-db'],
    port,
    dir,
    url: `mqtt://127.0.0.1:${port}`,
    ready: () => tcpAnswers(port, null),
  });
}
