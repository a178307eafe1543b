import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { ReadingStore } from '@airbox/store';
import { HOURLY_COLUMNS, hourlyCsvLine, READING_COLUMNS, readingCsvLine } from './csv.ts';
import type { MetricsRegistry } from './metrics.ts';
import {
  DeadLetterQuerySchema,
  describeQueryError,
  LatestQuerySchema,
  SeriesQuerySchema,
} from './query.ts';
import type { z } from 'zod';

export interface ApiOptions {
  store: ReadingStore;
  metrics: MetricsRegistry;
  /** Extra facts for /healthz (ports, versions); must not throw. */
  health?: () => Record<string, unknown>;
  logger?: boolean;
}

/**
 * The HTTP API under /api/v1 (minimal until the web issue: latest readings, series,
 * dead letters), /healthz and /metrics. Every query is validated; a bad one gets a 400
 * naming each parameter and its problem.
 */
export function createApi(opts: ApiOptions): FastifyInstance {
  const app = Fastify({ logger: opts.logger ?? false });
  const { store } = opts;

  app.get('/healthz', async () => ({ status: 'ok', store: store.kind, ...opts.health?.() }));

  app.get('/metrics', async (_req, reply) =>
    reply.type('text/plain; version=0.0.4').send(opts.metrics.render()),
  );

  app.get('/api/v1/readings/latest', async (req, reply) => {
    const q = parse(LatestQuerySchema, req.query, reply);
    if (q === null) return reply;
    const readings = await store.latest({ deviceIds: q.device, kind: q.kind });
    return { readings };
  });

  app.get('/api/v1/series', async (req, reply) => {
    const q = parse(SeriesQuerySchema, req.query, reply);
    if (q === null) return reply;
    const range = { deviceIds: q.device, fromMs: q.from, toMs: q.to };
    if (q.agg === '1h') {
      const rows = await store.hourly(range);
      return q.format === 'csv'
        ? sendCsv(reply, HOURLY_COLUMNS, rows.map(hourlyCsvLine))
        : { agg: '1h', rows };
    }
    const readings = await store.series(range);
    return q.format === 'csv'
      ? sendCsv(reply, READING_COLUMNS, readings.map(readingCsvLine))
      : { agg: 'raw', readings };
  });

  app.get('/api/v1/dead-letters', async (req, reply) => {
    const q = parse(DeadLetterQuerySchema, req.query, reply);
    if (q === null) return reply;
    const letters = await store.deadLetters({ limit: q.limit, sinceMs: q.since });
    return {
      deadLetters: letters.map((d) => ({
        ...d,
        payload: Buffer.from(d.payload).toString('base64'),
        payloadText: Buffer.from(d.payload).toString('utf8'),
      })),
    };
  });

  return app;
}

function parse<T extends z.ZodType>(
  schema: T,
  query: unknown,
  reply: FastifyReply,
): z.infer<T> | null {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  void reply
    .code(400)
    .send({ error: { code: 'bad-query', message: describeQueryError(result.error) } });
  return null;
}

function sendCsv(reply: FastifyReply, columns: readonly string[], lines: string[]) {
  const body = Readable.from([columns.join(',') + '\r\n', ...lines]);
  return reply.type('text/csv; charset=utf-8').send(body);
}
