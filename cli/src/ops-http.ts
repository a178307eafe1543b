import { createServer, type Server } from 'node:http';
import type { MetricsRegistry } from '@airbox/web';

/**
 * /metrics and /healthz for a process that has no API of its own (a stream worker), so
 * Prometheus and the orchestrator's probes see every process.
 */
export async function startOpsHttp(
  metrics: MetricsRegistry,
  health: () => Record<string, unknown>,
  host: string,
  port: number,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
    } else if (path === '/healthz') {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ status: 'ok', ...health() }));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only /metrics and /healthz here\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
