import { z } from 'zod';
import { buildOpenApi } from '../openapi.ts';
import { docSchemas } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

const HealthDoc = z
  .object({ status: z.literal('ok'), store: z.enum(['sqlite', 'influxdb']) })
  .catchall(z.unknown())
  .register(docSchemas, { id: 'Health' });

const ReadinessDoc = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    reasons: z
      .array(z.object({ code: z.string(), message: z.string() }))
      .describe('why this process should get no new clients now; empty when ready'),
  })
  .register(docSchemas, { id: 'Readiness' });

/**
 * /healthz (liveness), /readyz (readiness), /metrics (all three exempt from the rate limit)
 * and the OpenAPI document.
 */
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

  // Liveness and readiness apart: a process busy for a while (a long catch-up) is alive
  // and must not be restarted or have its connections cut, but new boxes and viewers
  // belong on another node until it has caught up.
  getRoute(
    ctx,
    {
      url: '/readyz',
      tag: 'system',
      summary: 'readiness: whether to send this process new clients (load balancers ask this)',
      description:
        '503 while the process is too busy to take more, e.g. its event loop lags or its write queue is near its bound; /healthz still answers 200 then.',
      rateLimited: false,
      responses: {
        200: { description: 'ready', json: ReadinessDoc },
        503: { description: 'not ready, with the reasons', json: ReadinessDoc },
      },
    },
    async (_input, _req, reply) => {
      const reasons = options.readiness?.() ?? [];
      const status = reasons.length === 0 ? 'ready' : 'not-ready';
      return reply
        .code(reasons.length === 0 ? 200 : 503)
        .header('Cache-Control', 'no-store')
        .send({ status, reasons });
    },
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
    async () => (document ??= buildOpenApi(ctx.docs, ctx.options.openData.license)),
  );
}
