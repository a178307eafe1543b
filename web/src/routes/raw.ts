import type { ServerResponse } from 'node:http';
import type { SequencedRawMessage } from '@airbox/protocol';
import { ApiError } from '../errors.ts';
import { eventStreamHead, eventStreams } from '../live/event-stream.ts';
import { SLOW_CONSUMER_CLOSE_CODE } from '../live/session.ts';
import { DeviceParamsSchema } from '../query.ts';
import { getRoute, type RouteContext } from './define.ts';

/** How long a dropped client gets to read its end event before the socket is destroyed. */
const END_GRACE_MS = 5_000;

/**
 * /api/v1/devices/:id/raw.sse: the MQTT messages a box sends, as the broker received them
 * and with what became of each, for the maker page's live tail. Any device id may be
 * followed, also one that has never had a reading stored: a box whose every message is
 * refused is the one its maker most needs to watch.
 */
export function rawRoutes(ctx: RouteContext): void {
  const { app, options } = ctx;
  const openEventStream = eventStreams(app);

  getRoute(
    ctx,
    {
      url: '/api/v1/devices/:id/raw.sse',
      tag: 'devices',
      summary: "live tail of a box's raw MQTT messages (server-sent events)",
      description: `On connect the box's last few messages this server kept (up to 5), then each message as the broker receives it: one \`data:\` line of RawMessage JSON per event, its \`id\` the message's \`seq\`. An EventSource that reconnects sends the last id as Last-Event-ID and gets only what came after it. Refused messages are included (outcome \`refused\`, with the code and reason kept in the dead letters). A client that reads too slowly (more than 1 MiB unsent by default) gets \`event: end\` with \`{"code":${SLOW_CONSUMER_CLOSE_CODE},"reason"}\` and the stream ends.`,
      params: DeviceParamsSchema,
      responses: {
        200: {
          description: 'an event stream of RawMessage',
          media: ['text/event-stream'],
        },
        404: { description: 'this server has no broker tap (`not-available`)' },
      },
    },
    async ({ params }, req, reply) => {
      const source = options.raw;
      if (source === undefined) {
        throw new ApiError(404, 'not-available', 'raw messages are not served here');
      }
      if (req.method === 'HEAD') return eventStreamHead(reply);
      const raw = openEventStream(reply);
      const { maxBufferedBytes, sseHeartbeatMs } = options.liveLimits;
      const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), sseHeartbeatMs);
      heartbeat.unref();
      let unsubscribe = () => {};
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      raw.once('close', stop);
      const send = (m: SequencedRawMessage) => {
        if (raw.writableEnded) return;
        if (raw.writableLength > maxBufferedBytes) {
          stop();
          return endSlow(raw, `slow consumer: over ${maxBufferedBytes} bytes unsent`);
        }
        raw.write(`id: ${m.seq}\ndata: ${JSON.stringify(m)}\n\n`);
      };
      // The kept ones, then the tail: both in this same tick, so none is missed or doubled.
      for (const m of source.recentOf(params.id, lastEventSeq(req.headers['last-event-id'])))
        send(m);
      if (!raw.writableEnded) unsubscribe = source.subscribe(params.id, send);
    },
  );
}

function endSlow(raw: ServerResponse, reason: string): void {
  raw.end(`event: end\ndata: ${JSON.stringify({ code: SLOW_CONSUMER_CLOSE_CODE, reason })}\n\n`);
  setTimeout(() => raw.destroy(), END_GRACE_MS).unref();
}

/** The seq a reconnecting EventSource last saw; anything else starts from the kept ones. */
function lastEventSeq(header: string | string[] | undefined): number {
  const n = typeof header === 'string' ? Number(header) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
