import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../process.ts';
import { influxdConfig } from './configs.ts';
import { makeServerDir, startManagedServer, type TestServer } from './managed.ts';

/**
 * Debian's InfluxDB (1.6.7: `/write` and InfluxQL `/query`, no `/api/v2/write`).
 * Starts `influxd -config FILE` on a free 127.0.0.1 port with its own meta/data/wal
 * directories, without reporting, HTTP request logging or the internal monitor database.
 * Ready when `/ping` answers 204. Auth is off: create databases with `CREATE DATABASE`.
 */
export async function startInfluxd(binary = 'influxd'): Promise<TestServer> {
  const [port, rpcPort, dir] = await Promise.all([
    freePort(),
    freePort(),
    makeServerDir('influxd'),
  ]);
  const config = join(dir, 'influxdb.conf');
  await writeFile(config, influxdConfig(dir, port, rpcPort));
  return startManagedServer({
    name: 'influxd',
    binary,
    args: ['-config', config],
    port,
    dir,
    readyPath: '/ping',
  });
}
