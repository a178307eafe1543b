import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import { eventStreamHead, eventStreams } from '../live/event-stream.ts';
import { runLiveSession, type LiveDeps } from '../live/session.ts';
import { sseTransport, webSocketTransport } from '../live/transports.ts';
import { placedTransport } from '../placement.ts';
import { isoTime, LiveQuerySchema } from '../query.ts';
import { LiveMessageDoc } from '../schemas.ts';
import { getRoute, parseInput, type RouteContext } from './define.ts';

const PROTOCOL = `On connect: \`{"type":"snapshot","readings":[…]}\` (the newest reading of each followed device), then with \`since\` \`{"type":"resync","from","to","truncated","readings":[…]}\` (readings whose time is at or after \`since\`, at most 24 h back and 10,000 readings by default; \`truncated\` means /api/v1/series holds more), then \`{"type":"readings","readings":[…]}\` as the worker stores them. No reading is sent twice across snapshot, re-sync and tail; key readings by (deviceId, time). After a reconnect pass the newest \`time\` you hold as \`since\`.

A client that reads too slowly (more than 1 MiB unsent by default) is dropped, so the server's memory never grows with it.`;

/** /api/v1/live (WebSocket) and /api/v1/live.sse (server-sent events): same messages. */
export function liveRoutes(ctx: RouteContext): void {
  const deps = liveDeps(ctx);
  webSocketRoute(ctx, deps);
  eventStreamRoute(ctx, deps);
}

/** What a session needs; throws 404 `not-available` on a server with no live source. */
function liveDeps(ctx: RouteContext): () => LiveDeps {
  const { options, stats } = ctx;
  const source = options.live;
  return () => {
    if (source === undefined) {
      throw new ApiError(404, 'not-available', 'the live stream is not served here');
    }
    const { store, liveLimits: limits, now } = options;
    return { store, source, limits, stats, now };
  };
}

const spec = { query: LiveQuerySchema };

/** /api/v1/live: documented by hand, as getRoute registers plain GETs, not WebSockets. */
function webSocketRoute(ctx: RouteContext, deps: () => LiveDeps): void {
  const { app, options } = ctx;
  ctx.docs.push({
    url: '/api/v1/live',
    tag: 'live',
    summary: 'WebSocket stream of calibrated readings: snapshot, re-sync, live tail',
    description: `${PROTOCOL} Over WebSocket the drop is close code 4008 with reason \`slow consumer: …\`; a store failure closes with 1011.`,
    query: LiveQuerySchema,
    rateLimited: true,
    responses: {
      101: {
        description: 'switched to WebSocket; text frames carry LiveMessage',
        json: LiveMessageDoc,
      },
      404: { description: 'this server has no live source (`not-available`)' },
      426: { description: 'a plain HTTP request: connect with WebSocket or use /api/v1/live.sse' },
    },
  });
  app.route({
    method: 'GET',
    url: '/api/v1/live',
    // Runs before the upgrade, so a bad query is an ordinary 400 answer, not a closed socket.
    preValidation: async (req) => {
      deps();
      parseInput(spec, req);
    },
    handler: async (_req, reply) => {
      void reply.header('Upgrade', 'websocket');
      throw new ApiError(
        426,
        'upgrade-required',
        'this is a WebSocket endpoint: connect with ws:// or wss://, or use /api/v1/live.sse',
      );
    },
    wsHandler: (socket, req) => {
      const { query } = parseInput(spec, req);
      const transport = placedTransport(webSocketTransport(socket), options.indoorDevices);
      runLiveSession(deps(), query, transport).catch((error: unknown) =>
        req.log.error({ err: error }, 'live session failed'),
      );
    },
  });
}

/** /api/v1/live.sse: the same session over server-sent events. */
function eventStreamRoute(ctx: RouteContext, deps: () => LiveDeps): void {
  const { options } = ctx;
  const openEventStream = eventStreams(ctx.app);

  getRoute(
    ctx,
    {
      url: '/api/v1/live.sse',
      tag: 'live',
      summary: 'the live stream as server-sent events (same messages as /api/v1/live)',
      description: `${PROTOCOL} Each event's name is the message type and its \`id\` the newest reading time sent so far; an EventSource that reconnects sends it as Last-Event-ID, taken as \`since\`. A dropped client gets \`event: end\` with \`{"code":4008,"reason"}\` and the stream ends.`,
      query: LiveQuerySchema,
      responses: {
        200: { description: 'an event stream of LiveMessage', media: ['text/event-stream'] },
        404: { description: 'this server has no live source (`not-available`)' },
      },
    },
    async ({ query }, req, reply) => {
      const live = deps();
      if (req.method === 'HEAD') return eventStreamHead(reply);
      const since = query.since ?? lastEventTime(req);
      const raw = openEventStream(reply);
      const transport = placedTransport(
        sseTransport(raw, options.liveLimits.sseHeartbeatMs),
        options.indoorDevices,
      );
      await runLiveSession(live, { ...query, since }, transport).catch((error: unknown) =>
        req.log.error({ err: error }, 'live session failed'),
      );
    },
  );
}

/** Last-Event-ID as a `since` time; anything that is not a time is ignored. */
function lastEventTime(req: FastifyRequest): number | undefined {
  const parsed = isoTime.safeParse(req.headers['last-event-id']);
  return parsed.success ? parsed.data : undefined;
}
