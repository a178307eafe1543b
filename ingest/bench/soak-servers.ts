/**
 * The Debian servers of the scaled-out layout, as the soak runs them: its own config and
 * data directory each, on free 127.0.0.1 ports. The same settings as the testkit's servers
 * (packages/testkit/src/servers/) and deploy/cluster/, copied here because a bench must read
 * each server's pid (CPU and RSS from /proc) and the testkit does not show it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { SoakProcessSpec } from './soak-process.ts';

/** Redis as deploy/README.md configures it: appendonly, fsync every second. */
export function redisSpec(dir: string, port: number): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  return {
    name: 'redis',
    cmd: ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--dir', dir]
      .concat(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''])
      .concat(['--daemonize', 'no']),
    probe: () => tcpAnswers(port, 'PING\r\n', (d) => d.startsWith('+PONG')),
  };
}

/**
 * InfluxDB 1.x (`/write`, InfluxQL `/query`), no reporting, request log or internal
 * database. Its WAL is fsync'd before a write is answered (`wal-fsync-delay` 0, the
 * default), so a SIGKILL loses nothing it acknowledged.
 */
export function influxdSpec(dir: string, port: number, rpcPort: number): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '  logging-enabled = false',
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  return {
    name: 'influxd',
    cmd: ['influxd', '-config', config],
    probe: async () => (await fetch(`http://127.0.0.1:${port}/ping`)).status === 204,
  };
}

/**
 * HAProxy in front of the brokers, as deploy/cluster/haproxy.cfg: TCP, least connections,
 * a broker checked every 300 ms and its sessions shut when it is down. It holds two file
 * descriptors a connection, so under this machine's limit of 20,000 it carries ≤ 8,000.
 */
export function haproxySpec(dir: string, port: number, brokerPorts: number[]): SoakProcessSpec {
  mkdirSync(dir, { recursive: true });
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
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
      ...brokerPorts.map((p, i) => `  server broker${i} 127.0.0.1:${p}`),
      '',
    ].join('\n'),
  );
  return {
    name: 'haproxy',
    cmd: ['haproxy', '-f', config, '-db'],
    probe: () => tcpAnswers(port, null, () => true),
  };
}

/** True once something on the port accepts (and, given a request, answers as expected). */
function tcpAnswers(
  port: number,
  request: string | null,
  ok: (reply: string) => boolean,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => (request === null ? done(true) : socket.write(request)));
    socket.once('data', (d) => done(ok(d.toString())));
  });
}
