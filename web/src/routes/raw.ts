import type { ServerResponse } from 'node:http';
import type { RawSource, SequencedRawMessage } from '@airbox/contracts';
import { apiBoxAccess, requireBoxReader } from '../accounts/box-access.ts';
import { ApiError } from '../errors.ts';
import { endEventStream, eventStreamHead, eventStreams, keepAlive } from '../live/event-stream.ts';
import { SLOW_CONSUMER_CLOSE_CODE } from '../live/session.ts';
import type { LiveLimits } from '../options.ts';
import { DeviceParamsSchema } from '../query.ts';
import { ErrorDoc } from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

/**
 * /api/v1/devices/:id/raw.sse: the MQTT messages a box sends, as the broker received them
 * and with what became of each, for the device page's live tail. Its owner's, its
 * organisation's and operators' only (issue 15): a payload may carry what the box should not
 * tell the world (a password typed into it, a home's exact position). A box that has never
 * had a reading stored may be followed: the one whose every message is refused is the one
 * its maker most needs to watch.
 */
export function rawRoutes(ctx: RouteContext): void {
  const { app, options } = ctx;
  const openEventStream = eventStreams(app);

  getRoute(
    ctx,
    {
      url: '/api/v1/devices/:id/raw.sse',
      tag: 'devices',
      auth: 'box',
      summary: "live tail of a box's raw MQTT messages, server-sent events (its owner only)",
      description: `For the box's owner signed in (session cookie — an EventSource on the same origin sends it — or an API key), a member of its organisation, the box itself (HTTP Basic with its MQTT username and password, or a service account's) and operators; anyone else gets 401 (\`not-signed-in\`, \`unauthorized\`), or 404 (\`unknown-device\`) for a private box, 403 (\`forbidden\`) for a public one. On connect the box's last few messages this server kept (3 by default), then each message as the broker receives it, as sent: one \`data:\` line of RawMessage JSON per event, its \`id\` the message's \`seq\`. An EventSource that reconnects sends the last id as Last-Event-ID and gets only what came after it. Refused messages are included (outcome \`refused\`, with the code and reason kept in the dead letters). A client that reads too slowly (more than 1 MiB unsent by default) gets \`event: end\` with \`{"code":${SLOW_CONSUMER_CLOSE_CODE},"reason"}\` and the stream ends.`,
      params: DeviceParamsSchema,
      responses: {
        200: {
          description: 'an event stream of RawMessage',
          media: ['text/event-stream'],
        },
        401: { description: 'nobody, a wrong box password or a revoked key', json: ErrorDoc },
        403: { description: 'a public box that is not yours (`forbidden`)', json: ErrorDoc },
        404: {
          description:
            'this server has no broker tap (`not-available`); a private box not yours (`unknown-device`)',
          json: ErrorDoc,
        },
      },
    },
    async ({ params }, req, reply) => {
      const source = options.raw;
      if (source === undefined) {
        throw new ApiError(404, 'not-available', 'raw messages are not served here');
      }
      await requireBoxReader(apiBoxAccess(options), req, params.id);
      if (req.method === 'HEAD') return eventStreamHead(reply);
      const afterSeq = lastEventSeq(req.headers['last-event-id']);
      tailRaw(openEventStream(reply), source, params.id, afterSeq, options.liveLimits);
    },
  );
}

/**
 * Writes the box's kept messages after `afterSeq`, then each new one, until the client
 * leaves or falls more than `maxBufferedBytes` behind.
 */
function tailRaw(
  raw: ServerResponse,
  source: RawSource,
  deviceId: string,
  afterSeq: number,
  { maxBufferedBytes, sseHeartbeatMs }: LiveLimits,
): void {
  let unsubscribe = () => {};
  const stopKeepAlive = keepAlive(raw, sseHeartbeatMs);
  raw.once('close', () => unsubscribe());
  const send = (m: SequencedRawMessage) => {
    if (raw.writableEnded) return;
    if (raw.writableLength > maxBufferedBytes) {
      stopKeepAlive();
      unsubscribe();
      return endEventStream(
        raw,
        SLOW_CONSUMER_CLOSE_CODE,
        `slow consumer: over ${maxBufferedBytes} bytes unsent`,
      );
    }
    raw.write(`id: ${m.seq}\ndata: ${JSON.stringify(m)}\n\n`);
  };
  // The kept ones, then the tail: both in this same tick, so none is missed or doubled.
  for (const m of source.recentOf(deviceId, afterSeq)) send(m);
  if (!raw.writableEnded) unsubscribe = source.subscribe(deviceId, send);
}

/** The seq a reconnecting EventSource last saw; anything else starts from the kept ones. */
function lastEventSeq(header: string | string[] | undefined): number {
  const n = typeof header === 'string' ? Number(header) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
