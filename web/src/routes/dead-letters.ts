import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { DeadLetter, DeadLetterQuery } from '@airbox/store';
import { apiBoxAccess, requireBoxReader } from '../accounts/box-access.ts';
import { requireOperator } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { DeadLetterQuerySchema, DeviceParamsSchema } from '../query.ts';
import {
  DEAD_LETTER_PREVIEW_BYTES,
  DeadLetterDropsDoc,
  DeadLetterPageDoc,
  ErrorDoc,
  type DeadLetterView,
} from '../schemas.ts';
import { getRoute, type RouteContext } from './define.ts';

/**
 * Dead letters hold what boxes sent and the server refused, which may be private (a password
 * typed into a payload): the operator reads every box's, a box's owner only the box's own.
 * A page is bounded (MAX_DEAD_LETTERS_PER_PAGE letters of at most a 1 KiB preview each) and
 * written a letter at a time, so no listing can hold the server's memory or event loop.
 */
export function deadLetterRoutes(ctx: RouteContext): void {
  operatorListRoute(ctx);
  deviceListRoute(ctx);
  dropsRoute(ctx);
}

const AUTH_RESPONSES = {
  401: { description: 'no or wrong credentials (`unauthorized`)', json: ErrorDoc },
};

function operatorListRoute(ctx: RouteContext): void {
  const { options } = ctx;
  getRoute(
    ctx,
    {
      url: '/api/v1/dead-letters',
      tag: 'readings',
      summary: 'messages refused or undecodable, every box’s, newest first (operators only)',
      description:
        'A page of at most 500; `next` names the page after it (`before`). Each payload is cut to its first 1,024 bytes; `payloadBytes` is its whole size.',
      auth: 'operator',
      query: DeadLetterQuerySchema,
      responses: {
        200: { description: 'a page of dead letters', json: DeadLetterPageDoc },
        ...AUTH_RESPONSES,
        403: { description: 'this server has no operator token (`forbidden`)', json: ErrorDoc },
      },
    },
    async ({ query }, req, reply) => {
      requireOperator(options.operatorToken, req);
      const page = { limit: query.limit, sinceMs: query.since, beforeId: query.before };
      return sendPage(reply, query.limit, await listed(ctx, page));
    },
  );
}

function deviceListRoute(ctx: RouteContext): void {
  const { options } = ctx;
  getRoute(
    ctx,
    {
      url: '/api/v1/devices/:id/dead-letters',
      tag: 'devices',
      summary: 'the box’s own refused or undecodable messages, newest first (its owner only)',
      description:
        "The box's owner signed in or with an API key (or a member of its organisation), HTTP Basic with the box's MQTT username and password (or a service account's), or the operator token; anyone else gets 401, or 404 (`unknown-device`) for a private box, 403 (`forbidden`) for a public one. Paged and cut like /api/v1/dead-letters.",
      auth: 'box',
      params: DeviceParamsSchema,
      query: DeadLetterQuerySchema,
      responses: {
        200: { description: 'a page of the box’s dead letters', json: DeadLetterPageDoc },
        ...AUTH_RESPONSES,
        403: { description: 'a public box that is not yours (`forbidden`)', json: ErrorDoc },
        404: { description: 'a private box not yours, or none (`unknown-device`)', json: ErrorDoc },
      },
    },
    async ({ params, query }, req, reply) => {
      await requireBoxReader(apiBoxAccess(options), req, params.id);
      const page = {
        limit: query.limit,
        sinceMs: query.since,
        beforeId: query.before,
        deviceId: params.id,
      };
      return sendPage(reply, query.limit, await listed(ctx, page));
    },
  );
}

function dropsRoute(ctx: RouteContext): void {
  const { options } = ctx;
  getRoute(
    ctx,
    {
      url: '/api/v1/dead-letters/dropped',
      tag: 'readings',
      summary: 'dead letters not stored: over a client’s bytes an hour, or too many a second',
      auth: 'operator',
      responses: {
        200: { description: 'what was kept and dropped, per client', json: DeadLetterDropsDoc },
        ...AUTH_RESPONSES,
        404: { description: 'no dead-letter budget here (`not-available`)' },
      },
    },
    async (_input, req) => {
      requireOperator(options.operatorToken, req);
      const drops = options.deadLetterDrops;
      if (drops === undefined) {
        throw new ApiError(404, 'not-available', 'this server keeps no dead-letter budget');
      }
      return drops();
    },
  );
}

async function listed(ctx: RouteContext, query: DeadLetterQuery): Promise<DeadLetter[]> {
  return ctx.options.store.deadLetters({ ...query, previewBytes: DEAD_LETTER_PREVIEW_BYTES });
}

/** One letter as a listing shows it: a preview of its payload, and its whole size. */
function view(letter: DeadLetter): DeadLetterView {
  const { payload } = letter;
  const preview = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const payloadBytes = letter.payloadBytes ?? preview.length;
  return {
    id: letter.id ?? null,
    receivedAt: letter.receivedAt,
    topic: letter.topic,
    clientId: letter.clientId,
    deviceId: letter.deviceId ?? null,
    code: letter.code,
    reason: letter.reason,
    payload: preview.toString('base64'),
    payloadText: preview.toString('utf8'),
    payloadBytes,
    truncated: payloadBytes > preview.length,
  };
}

/** `{"deadLetters":[…],"next":…}`, a letter at a time. */
function* pageText(letters: DeadLetter[], next: number | null): Generator<string> {
  yield '{"deadLetters":[';
  for (const [i, letter] of letters.entries()) {
    yield `${i === 0 ? '' : ','}${JSON.stringify(view(letter))}`;
  }
  yield `],"next":${JSON.stringify(next)}}`;
}

function sendPage(reply: FastifyReply, limit: number, letters: DeadLetter[]): FastifyReply {
  // A full page may have more after it; a short one is the last.
  const next = letters.length === limit ? (letters.at(-1)?.id ?? null) : null;
  return reply
    .type('application/json; charset=utf-8')
    .header('Cache-Control', 'no-store')
    .send(Readable.from(pageText(letters, next)));
}
