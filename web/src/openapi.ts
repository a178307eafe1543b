import { z } from 'zod';
import type { ResponseDoc, RouteDoc } from './routes/define.ts';
import { docSchemas, ErrorDoc } from './schemas.ts';

type JsonObject = Record<string, unknown>;

/** A JSON Schema without the keys that only make sense in a standalone document. */
function omit(schema: object, keys: readonly string[]): JsonObject {
  return Object.fromEntries(Object.entries(schema).filter(([k]) => !keys.includes(k)));
}

/**
 * zod writes its full date-time regex beside `format: date-time`; the format says the same
 * to a reader and to generators, so the regex is left out to keep the document readable.
 */
function withoutDatePatterns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDatePatterns);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const isDate = entries.some(([k, v]) => k === 'format' && (v === 'date-time' || v === 'date'));
  return Object.fromEntries(
    entries
      .filter(([k]) => !(isDate && k === 'pattern'))
      .map(([k, v]) => [k, withoutDatePatterns(v)]),
  );
}

const REF_PREFIX = '#/components/schemas/';

/** A response body schema: a $ref when the schema is a registered component, else inline. */
function bodySchema(schema: z.ZodType): JsonObject {
  const id = docSchemas.get(schema)?.id;
  if (id !== undefined) return { $ref: `${REF_PREFIX}${id}` };
  return omit(z.toJSONSchema(schema, { io: 'output' }), ['$schema']);
}

/** Query or path parameters, generated from the route's zod schema (its input side). */
function parameters(schema: z.ZodObject | undefined, where: 'query' | 'path'): JsonObject[] {
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = typeof property === 'object' ? property : {};
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

function response(doc: ResponseDoc): JsonObject {
  const content: JsonObject = {};
  if (doc.json !== undefined) content['application/json'] = { schema: bodySchema(doc.json) };
  for (const media of doc.media ?? []) content[media] = { schema: { type: 'string' } };
  const headers = Object.fromEntries(
    Object.entries(doc.headers ?? {}).map(([name, description]) => [
      name,
      { description, schema: { type: 'string' } },
    ]),
  );
  return {
    description: doc.description,
    ...(Object.keys(content).length > 0 ? { content } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** The responses every route can give besides its own: bad input, rate limit, failure. */
function commonResponses(route: RouteDoc): Record<number, ResponseDoc> {
  const out: Record<number, ResponseDoc> = {};
  if (route.query !== undefined || route.params !== undefined || route.body !== undefined) {
    out[400] = { description: 'a parameter is malformed; the message names it', json: ErrorDoc };
  }
  if (route.rateLimited) {
    out[429] = {
      description: 'too many requests from this IP address',
      json: ErrorDoc,
      headers: { 'Retry-After': 'seconds until the limit resets' },
    };
  }
  out[500] = { description: 'the server failed; see its log', json: ErrorDoc };
  return out;
}

/** How RouteDoc.auth's callers prove who they are (OpenAPI 3.1 §4.8.27). */
const SECURITY_SCHEMES = {
  operatorToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'the operator token (`airbox serve --operator-token-file FILE` or AIRBOX_OPERATOR_TOKEN)',
  },
  boxCredentials: {
    type: 'http',
    scheme: 'basic',
    description: "the box's MQTT username (its id) and password, or a service account's",
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'airbox_session',
    description:
      'the cookie POST /api/v1/session sets (`__Host-airbox_session` over HTTPS); a change also needs the header X-CSRF-Token with the csrfToken of GET /api/v1/me',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description: 'an API key (POST /api/v1/me/api-keys); needs no CSRF token',
  },
} as const;

const SECURITY_OF: Record<NonNullable<RouteDoc['auth']>, (keyof typeof SECURITY_SCHEMES)[]> = {
  operator: ['operatorToken'],
  box: ['session', 'apiKey', 'boxCredentials', 'operatorToken'],
  account: ['session', 'apiKey'],
};

/** The JSON body a route takes, from its zod schema (its input side). */
function requestBody(route: RouteDoc): JsonObject {
  if (route.body === undefined) return {};
  const schema = omit(z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }), [
    '$schema',
  ]);
  return { requestBody: { required: true, content: { 'application/json': { schema } } } };
}

function operation(route: RouteDoc): JsonObject {
  const all = { ...commonResponses(route), ...route.responses };
  const method = route.method ?? 'get';
  const security = route.auth === undefined ? [] : SECURITY_OF[route.auth];
  return {
    operationId: `${method}_${route.url.replace('/api/v1/', '').replace(/[^A-Za-z0-9]+/g, '_')}`,
    summary: route.summary,
    ...(route.description === undefined ? {} : { description: route.description }),
    ...(security.length === 0 ? {} : { security: security.map((name) => ({ [name]: [] })) }),
    tags: [route.tag],
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...requestBody(route),
    responses: Object.fromEntries(
      Object.entries(all).map(([status, doc]) => [status, response(doc)]),
    ),
  };
}

function components(): JsonObject {
  const { schemas } = z.toJSONSchema(docSchemas, {
    io: 'output',
    uri: (id) => `${REF_PREFIX}${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => [id, omit(schema, ['$schema', '$id'])]),
  );
}

/** OpenAPI 3.1 document of the routes, built from what each route registered. */
export function buildOpenApi(
  routes: readonly RouteDoc[],
  dataLicense?: { name: string; url: string },
): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    paths[path] = { ...paths[path], [route.method ?? 'get']: operation(route) };
  }
  return withoutDatePatterns({
    openapi: '3.1.0',
    info: {
      title: 'AirBox network API',
      version: '1',
      description:
        'Readings of AirBox/LASS boxes and reference stations: devices, latest readings, series (raw, hourly, daily; JSON or streamed CSV), calibration models, the interpolated surface and a live stream. Times are ISO 8601 UTC; units are in field names (µg/m³, °C, %). Every error is {"error":{"code","message"}}.',
    },
    ...(dataLicense === undefined
      ? {}
      : {
          externalDocs: {
            description: `The data set described for data portals (DCAT-AP; schema.org at /opendata/dataset.jsonld). The data is published under ${dataLicense.name}: ${dataLicense.url}`,
            url: '/opendata/dcat.jsonld',
          },
        }),
    servers: [{ url: '/' }],
    paths,
    components: { schemas: components(), securitySchemes: SECURITY_SCHEMES },
  }) as JsonObject;
}
