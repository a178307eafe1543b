import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const SSE_TYPE = 'text/event-stream; charset=utf-8';

/**
 * Server-sent event responses of one route file: `open` takes the reply over from Fastify
 * and writes the event-stream head (keeping the headers hooks set, e.g. CORS). Hijacked
 * responses are invisible to Fastify, so they are ended here when the server closes, or
 * close() would wait for them.
 */
export function eventStreams(app: FastifyInstance): (reply: FastifyReply) => ServerResponse {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });
  return (reply) => {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      ...definedHeaders(reply.getHeaders()),
      'content-type': SSE_TYPE,
      'cache-control': 'no-cache',
      // nginx buffers proxied responses unless told not to; an event stream must not wait.
      'x-accel-buffering': 'no',
    });
    // Headers wait for the first write otherwise: a quiet stream would look unanswered.
    raw.flushHeaders();
    open.add(raw);
    raw.once('close', () => open.delete(raw));
    return raw;
  };
}

/** HEAD runs a GET handler too (Fastify's implicit HEAD route): headers only, no stream. */
export function eventStreamHead(reply: FastifyReply): FastifyReply {
  return reply.type(SSE_TYPE).header('cache-control', 'no-cache').send();
}

function definedHeaders(headers: Record<string, number | string | string[] | undefined>) {
  const out: Record<string, number | string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = value;
  return out;
}
