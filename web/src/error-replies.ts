import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError, type RegistryErrorCode } from '@airbox/registry';
import { ApiError, quoteInput, type ApiErrorCode, type ErrorBody } from './errors.ts';

/**
 * Every error the server answers, in one shape: `{"error":{"code","message"}}` with a code
 * of ApiErrorCode — ours, Fastify's own (a body too large, a bad URL, a forbidden static
 * path, no route) and Node's before a request exists (headers too large).
 */

/** The code of an error that carries only its HTTP status. */
const CODE_OF_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'body-too-large',
  415: 'unsupported-media-type',
  426: 'upgrade-required',
  429: 'rate-limited',
  431: 'headers-too-large',
};

const UNSAFE = /[<>&]/g;
/** Fastify's messages may quote the URL: escaped like quoteInput, never echoed raw. */
const safeText = (text: string) =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

function codeOf(status: number, fastifyCode: string | undefined): ApiErrorCode {
  // Fastify's content-type parsers: the body is not what its Content-Type says.
  if (status === 400 && fastifyCode?.startsWith('FST_ERR_CTP_') === true) return 'bad-body';
  return CODE_OF_STATUS[status] ?? 'bad-request';
}

/** A registry refusal (a taken e-mail, a malformed id, the database away) as HTTP. */
const REGISTRY_STATUS: Readonly<Record<RegistryErrorCode, number>> = {
  'invalid-device-id': 400,
  'invalid-email': 400,
  'weak-password': 400,
  'invalid-input': 400,
  exists: 409,
  'not-found': 404,
  unavailable: 503,
};

type AnyError = FastifyError | ApiError | RegistryError;

export function errorReply(error: AnyError): { status: number; body: ErrorBody } {
  if (error instanceof RegistryError) {
    const status = REGISTRY_STATUS[error.code];
    return { status, body: { error: { code: error.code, message: error.message } } };
  }
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) {
    return {
      status,
      body: { error: { code: 'internal', message: 'the server failed; see its log' } },
    };
  }
  const message = safeText(error.message);
  return { status, body: { error: { code: codeOf(status, error.code), message } } };
}

function notFound(req: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send({
    error: {
      code: 'not-found',
      message: `no route ${req.method} ${quoteInput(req.url.split('?')[0])}; /api/v1/openapi.json lists the routes`,
    },
  } satisfies ErrorBody);
}

/** The handlers of a Fastify instance: every error a route, a plugin or Fastify throws. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: AnyError, req, reply) => {
    const { status, body } = errorReply(error);
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    if (error instanceof ApiError) void reply.headers(error.headers);
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler(notFound);
}

/** What Fastify answers before routing (a URL that is not percent-encoding), our shape. */
function frameworkErrors(error: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode ?? 400;
  const message =
    error.code === 'FST_ERR_BAD_URL'
      ? `the URL ${quoteInput(req.url)} is not valid percent-encoding (RFC 3986 §2.1)`
      : safeText(error.message);
  // Before routing: the onSend hook that sets nosniff does not run for this answer.
  void reply
    .code(status)
    .header('X-Content-Type-Options', 'nosniff')
    .send({ error: { code: codeOf(status, error.code), message } });
}

/**
 * What Node's HTTP parser refuses before there is a request (headers over the size limit, a
 * malformed request line, a timeout), as Fastify's default answers it but with our body.
 */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, ApiErrorCode, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large', 'the request headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'bad-request', 'the request did not arrive in time']
        : [400, 'bad-request', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        'X-Content-Type-Options: nosniff\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The Fastify constructor's options these answers need. */
export const ERROR_SERVER_OPTIONS = { frameworkErrors, clientErrorHandler } as const;
