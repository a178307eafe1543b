import { z } from 'zod';
import { buildOpenApi } from '../openapi.ts';
import { docSchemas } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

const HealthDoc = z
  .object({ status: z.literal('ok'), store: z.enum(['sqlite', 'influxdb']) })
  .catchall(z.unknown())
  .register(docSchemas, { id: 'Health' });

/** /healthz, /metrics (both exempt from the rate limit) and the OpenAPI document. */
export function systemRoutes(ctx: RouteContext): void {
  const { options } = ctx;

  getRoute(
    ctx,
    {
      url: '/healthz',
      tag: 'system',
      summary: 'liveness, the store engine and facts the process adds (ports)',
      rateLimited: false,
      responses: { 200: { description: 'the server is up', json: HealthDoc } },
    },
    async () => ({ status: 'ok', store: options.store.kind, ...options.health?.() }),
  );

  getRoute(
    ctx,
    {
      url: '/metrics',
      tag: 'system',
      summary: 'Prometheus text exposition (format 0.0.4)',
      rateLimited: false,
      responses: { 200: { description: 'gauges and counters', media: ['text/plain'] } },
    },
    async (_input, _req, reply) =>
      reply.type('text/plain; version=0.0.4').send(options.metrics.render()),
  );

  // Built once on first request: by then every route has registered its documentation.
  let document: Record<string, unknown> | null = null;
  getRoute(
    ctx,
    {
      url: '/api/v1/openapi.json',
      tag: 'system',
      summary: 'this OpenAPI 3.1 document',
      responses: { 200: { description: 'the document', media: ['application/json'] } },
    },
    async () => (document ??= buildOpenApi(ctx.docs)),
  );
}
