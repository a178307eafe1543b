import { connect } from 'node:net';
import { join } from 'node:path';

/**
 * How the real servers are configured, as deploy/ configures them: one place for the tests
 * (this folder) and the benches (ingest/bench/soak-*.ts), which run them their own way.
 */

/** Redis as deploy/README.md says: appendonly, fsync every second, no RDB snapshots. */
export function redisArgs(dir: string, port: number): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir]
    .concat(['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''])
    .concat(['--daemonize', 'no']);
}

/**
 * Debian's InfluxDB 1.x: its own meta/data/wal directories, no reporting, HTTP request log
 * or internal monitor database. The RPC service (backup/restore) binds too: it gets its own
 * port so several run side by side. The WAL is fsync'd before a write is answered
 * (`wal-fsync-delay` 0, the default), so a SIGKILL loses nothing it acknowledged.
 */
export function influxdConfig(dir: string, port: number, rpcPort: number): string {
  return [
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
  ].join('\n');
}

/**
 * HAProxy as the one MQTT address in front of the brokers, like deploy/cluster/haproxy.cfg:
 * TCP, least connections, a broker checked every 300 ms and its sessions shut when it is
 * marked down. Two file descriptors a connection: under this machine's limit of 20,000 a
 * process it carries ≤ 8,000.
 */
export function haproxyConfig(port: number, brokerPorts: number[]): string {
  return [
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
  ].join('\n');
}

/** True once something on the port accepts (and, given a request, answers as expected). */
export function tcpAnswers(
  port: number,
  request: string | null,
  ok: (reply: string) => boolean = () => true,
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
