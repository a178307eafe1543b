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

/** How long a dropped client gets to read its end event or close frame before its socket is destroyed. */
export const END_GRACE_MS = 5_000;

/** A comment line every `intervalMs`, so proxies do not close an idle stream; stops on close. */
export function keepAlive(raw: ServerResponse, intervalMs: number): () => void {
  const heartbeat = setInterval(() => {
    if (!raw.writableEnded) raw.write(': keep-alive\n\n');
  }, intervalMs);
  heartbeat.unref();
  const stop = () => clearInterval(heartbeat);
  raw.once('close', stop);
  return stop;
}

/**
 * Ends a stream with `event: end` and `{"code","reason"}` (e.g. 4008 for a slow reader); a
 * client that does not read it within a grace period has its socket destroyed.
 */
export function endEventStream(raw: ServerResponse, code: number, reason: string): void {
  raw.end(`event: end\ndata: ${JSON.stringify({ code, reason })}\n\n`);
  setTimeout(() => raw.destroy(), END_GRACE_MS).unref();
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
