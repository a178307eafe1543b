/**
 * The Debian servers of the scaled-out layout as the soak runs them (each its own process
 * spec, restarted by the soak on the same ports and data), configured as the testkit's
 * servers and deploy/cluster/ are: the settings themselves live in the testkit.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { haproxyConfig, influxdConfig, redisArgs, tcpAnswers } from '@airbox/testkit';
import type { SoakProcessSpec } from './soak-process.ts';

export function redisSpec(dir: string, port: number): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  return {
    name: 'redis',
    cmd: ['redis-server', ...redisArgs(dir, port)],
    probe: () => tcpAnswers(port, 'PING\r\n', (d) => d.startsWith('+PONG')),
  };
}

export function influxdSpec(dir: string, port: number, rpcPort: number): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'influxdb.conf');
  writeFileSync(config, influxdConfig(dir, port, rpcPort));
  return {
    name: 'influxd',
    cmd: ['influxd', '-config', config],
    probe: async () => (await fetch(`http://127.0.0.1:${port}/ping`)).status === 204,
  };
}

export function haproxySpec(dir: string, port: number, brokerPorts: number[]): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(port, brokerPorts));
  return {
    name: 'haproxy',
    cmd: ['haproxy', '-f', config, '-db'],
    probe: () => tcpAnswers(port, null),
  };
}
