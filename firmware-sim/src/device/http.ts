import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NativeReading } from '@airbox/protocol';
import type { DeviceStatus } from './status.ts';

/**
 * The box's own HTTP endpoints, for a maker on the same network:
 * - `GET /data.json`: the last reading and the status, as one JSON object;
 * - `GET /metrics`: Prometheus text (uptime, backlog, dropped readings, last PM2.5).
 * Read-only and unauthenticated by design: it shows what the box already publishes.
 */
export interface DeviceView {
  status(): DeviceStatus;
  lastReading(): NativeReading | null;
}

export interface DeviceHttp {
  port: number;
  close(): Promise<void>;
}

export async function startDeviceHttp(
  view: DeviceView,
  host: string,
  port: number,
): Promise<DeviceHttp> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
    } else if (path === '/data.json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reading: view.lastReading(), status: view.status() }));
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(metricsText(view));
    } else {
      res
        .writeHead(404, { 'content-type': 'text/plain' })
        .end('not found: try /data.json or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function metricsText(view: DeviceView): string {
  const s = view.status();
  const pm25 = view.lastReading()?.pm25UgM3;
  const lines: [string, string, string, number | null | undefined][] = [
    ['airbox_box_up', 'gauge', '1 while connected to the broker', s.online ? 1 : 0],
    ['airbox_box_uptime_seconds', 'gauge', 'Seconds since the firmware started', s.uptimeS],
    [
      'airbox_box_backlog_readings',
      'gauge',
      'Readings in the offline buffer, not yet acknowledged',
      s.backlog,
    ],
    [
      'airbox_box_dropped_readings_total',
      'counter',
      'Readings dropped because the offline buffer was full',
      s.droppedReadings,
    ],
    ['airbox_box_pm25_ug_m3', 'gauge', 'PM2.5 of the last report (atmospheric, µg/m³)', pm25],
  ];
  return lines
    .filter(([, , , v]) => v !== null && v !== undefined)
    .map(
      ([name, type, help, v]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${v}\n`,
    )
    .join('');
}
