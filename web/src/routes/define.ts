import type { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiStats } from '../api-stats.ts';
import { badInput } from '../errors.ts';
import type { ResolvedApiOptions } from '../options.ts';

/** One documented response of a route. */
export interface ResponseDoc {
  description: string;
  /** The JSON body: a schema registered in `docSchemas` (so it becomes a $ref). */
  json?: z.ZodType;
  /** Other media types of the body, e.g. `text/csv`. */
  media?: string[];
  /** Response headers worth knowing: name → description. */
  headers?: Record<string, string>;
}

/** What the OpenAPI document says of a route; written beside the handler that serves it. */
export interface RouteDoc {
  url: string;
  summary: string;
  description?: string;
  tag: string;
  query?: z.ZodObject;
  params?: z.ZodObject;
  responses: Record<number, ResponseDoc>;
  /** false for /healthz and /metrics, which the rate limit exempts. */
  rateLimited: boolean;
  /**
   * Who may call it: the operator (bearer token); a box's owner (signed in or an API key,
   * the box's own HTTP Basic, or the operator); a signed-in account (session cookie, plus
   * X-CSRF-Token on a change, or an API key); else anyone.
   */
  auth?: 'operator' | 'box' | 'account';
  /** Default 'get'. */
  method?: RouteMethod;
  /** The JSON request body, validated before the handler runs. */
  body?: z.ZodObject;
}

export type RouteMethod = 'get' | 'post' | 'patch' | 'delete';

/** Everything a route file needs; one per createApi, nothing module-level. */
export interface RouteContext {
  app: FastifyInstance;
  options: ResolvedApiOptions;
  stats: ApiStats;
  docs: RouteDoc[];
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;

export interface RouteSpec<
  Q extends z.ZodObject | undefined,
  P extends z.ZodObject | undefined,
> extends Omit<RouteDoc, 'query' | 'params' | 'rateLimited'> {
  query?: Q;
  params?: P;
  rateLimited?: boolean;
}

export type RouteHandler<Q, P, B = undefined> = (
  input: { query: Parsed<Q>; params: Parsed<P>; body: Parsed<B> },
  req: FastifyRequest,
  reply: FastifyReply,
) => Promise<unknown>;

function parseWith(
  schema: z.ZodObject | undefined,
  value: unknown,
  where: 'query' | 'path' | 'body',
): unknown {
  if (schema === undefined) return {};
  const result = schema.safeParse(value);
  if (!result.success) throw badInput(where, result.error);
  return result.data;
}

/** Parses a request's query and path parameters with the route's schemas, or throws a 400. */
export function parseInput<Q extends z.ZodObject | undefined, P extends z.ZodObject | undefined>(
  spec: { query?: Q; params?: P },
  req: FastifyRequest,
): { query: Parsed<Q>; params: Parsed<P>; body: Parsed<undefined> } {
  // Path first: /devices/<bad id> is a bad path whatever its query says.
  const params = parseWith(spec.params, req.params, 'path') as Parsed<P>;
  const query = parseWith(spec.query, req.query, 'query') as Parsed<Q>;
  return { query, params, body: {} };
}

/**
 * Registers a GET route and its documentation in one step, so a route cannot exist without
 * its OpenAPI entry. Query and path parameters are validated with the spec's zod schemas;
 * a failure becomes a 400 `{"error":{"code":"bad-query"|"bad-path", …}}`.
 */
export function getRoute<Q extends z.ZodObject | undefined, P extends z.ZodObject | undefined>(
  ctx: RouteContext,
  spec: RouteSpec<Q, P>,
  handler: RouteHandler<Q, P>,
): void {
  const rateLimited = spec.rateLimited ?? true;
  ctx.docs.push({ ...spec, rateLimited });
  ctx.app.get(spec.url, { config: rateLimited ? {} : { rateLimit: false } }, async (req, reply) =>
    handler(parseInput(spec, req), req, reply),
  );
}

const MAX_BODY_BYTES = 16 * 1024;

export interface BodyRouteSpec<
  B extends z.ZodObject | undefined,
  P extends z.ZodObject | undefined,
> extends Omit<RouteDoc, 'query' | 'params' | 'rateLimited' | 'body' | 'method'> {
  method: Exclude<RouteMethod, 'get'>;
  body?: B;
  params?: P;
}

/**
 * Registers a route that changes something (POST, PATCH, DELETE) and its documentation. The
 * path is checked before the body, a body that is not the documented JSON is a 400 `bad-body`
 * naming the field, and every such route is rate-limited.
 */
export function changeRoute<B extends z.ZodObject | undefined, P extends z.ZodObject | undefined>(
  ctx: RouteContext,
  spec: BodyRouteSpec<B, P>,
  handler: RouteHandler<undefined, P, B>,
): void {
  ctx.docs.push({ ...spec, rateLimited: true });
  ctx.app.route({
    method: spec.method.toUpperCase(),
    url: spec.url,
    // Every body these routes take is a small form; a larger one is refused unread.
    bodyLimit: MAX_BODY_BYTES,
    handler: async (req, reply) => {
      const params = parseWith(spec.params, req.params, 'path') as Parsed<P>;
      const body = parseWith(spec.body, req.body ?? {}, 'body') as Parsed<B>;
      return handler({ query: {}, params, body }, req, reply);
    },
  });
}
