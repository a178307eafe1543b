import { join } from 'node:path';
import { freePort } from '../process.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/**
 * Starts VictoriaMetrics on a free 127.0.0.1 port with its own storage directory.
 * `-search.latencyOffset=1s`: by default it hides the newest 30 s from queries.
 * `-retentionPeriod=100y`: the default (1 month) drops test points with old timestamps.
 * Ready when `/health` answers. A freshly written point shows in `/api/v1/export` after
 * about a second; POST `/internal/force_flush` shortens that.
 */
export async function startVictoriaMetrics(binary = 'victoria-metrics'): Promise<TestServer> {
  const [port, dir] = await Promise.all([freePort(), makeServerDir('victoria-metrics')]);
  const args = [
    `-storageDataPath=${join(dir, 'data')}`,
    `-httpListenAddr=127.0.0.1:${port}`,
    '-search.latencyOffset=1s',
    '-retentionPeriod=100y',
    '-loggerLevel=ERROR',
  ];
  return startManagedServer({
    name: 'victoria-metrics',
    binary,
    args,
    port,
    dir,
    readyPath: '/health',
  });
}
