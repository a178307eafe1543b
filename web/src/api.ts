import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import websocket from '@fastify/websocket';
import { ApiStats } from './api-stats.ts';
import { ERROR_SERVER_OPTIONS, installErrorHandlers } from './error-replies.ts';
import { installKeyQuota, rateLimitKey } from './accounts/key-quota.ts';
import { ApiError } from './errors.ts';
import {
  DEFAULT_RATE_LIMIT,
  resolveOptions,
  type ApiOptions,
  type ResolvedApiOptions,
} from './options.ts';
import type { RouteContext, RouteDoc } from './routes/define.ts';
import { accountRoutes } from './routes/accounts.ts';
import { passwordResetRequestRoute } from './routes/password-resets.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { opendataRoutes } from './opendata/routes.ts';
import { archiveRoutes } from './archive/routes.ts';
import { carriesData } from './opendata/terms.ts';
import { alertPageRoutes } from './routes/alert-pages.ts';
import { deviceRoutes } from './routes/devices.ts';
import { myDeviceRoutes } from './routes/my-devices.ts';
import { alertRoutes } from './routes/alerts.ts';
import { orgRoutes } from './routes/orgs.ts';
import { transferRoutes } from './routes/transfer.ts';
import { extensionRoutes } from './routes/extensions.ts';
import { liveRoutes } from './routes/live.ts';
import { rawRoutes } from './routes/raw.ts';
import { appRoutes, type AppOptions } from './routes/app.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { readingRoutes } from './routes/readings.ts';
import { seriesRoutes } from './routes/series.ts';
import { MetricSampler, startStatusSampling, statusRoutes } from './routes/status.ts';
import { systemRoutes } from './routes/system.ts';

export type { ApiOptions, LiveLimits, NotReady, RateLimitOptions } from './options.ts';
export { publicStoreOf } from './options.ts';
export {
  brokerDeviceAdmin,
  type AppOptions,
  type DeviceAdmin,
  type RetainedBroker,
} from './routes/app.ts';

/** Paths browsers on other origins may read: the API and the health check, not /metrics. */
const CORS_PATHS = /^\/(api\/v1\/|healthz(\?|$))/;
const READ_METHODS = new Set(['GET', 'HEAD']);

function corsFor(origin: string | string[]) {
  const allowed: FastifyCorsOptions = {
    origin,
    methods: ['GET', 'HEAD'],
    exposedHeaders: [
      'ETag',
      'Retry-After',
      'Content-Disposition',
      'RateLimit-Limit',
      'RateLimit-Remaining',
      'RateLimit-Reset',
    ],
    maxAge: 86_400,
  };
  // A preflight asks for the method it wants in Access-Control-Request-Method.
  return (
    req: FastifyRequest,
    done: (error: Error | null, options: FastifyCorsOptions) => void,
  ) => {
    const method =
      req.method === 'OPTIONS'
        ? String(req.headers['access-control-request-method'] ?? '')
        : req.method;
    const readable = CORS_PATHS.test(req.url) && READ_METHODS.has(method.toUpperCase());
    done(null, readable ? allowed : { origin: false });
  };
}

function registerPlugins(app: FastifyInstance, options: ResolvedApiOptions, stats: ApiStats): void {
  void app.register(cors, { delegator: corsFor(options.corsOrigin ?? '*') });
  const registry = options.accounts?.registry;
  if (registry !== undefined) installKeyQuota(app, registry, options.now);
  if (options.rateLimit !== false) {
    const limit = { ...DEFAULT_RATE_LIMIT, ...options.rateLimit };
    void app.register(rateLimit, {
      // RateLimit-Limit, -Remaining, -Reset on every limited answer (IETF draft-ietf-httpapi-ratelimit-headers).
      enableDraftSpec: true,
      keyGenerator: async (req) => (await rateLimitKey(registry, req)).key,
      max: async (req) => (await rateLimitKey(registry, req)).perMinute ?? limit.max,
      timeWindow: limit.timeWindowMs,
      onExceeded: () => (stats.rateLimited += 1),
      errorResponseBuilder: (_req, context) =>
        new ApiError(
          429,
          'rate-limited',
          `more than ${context.max} requests from this address or API key within ${Math.round(limit.timeWindowMs / 1000)} s; retry in ${context.after}`,
        ),
    });
  }
  void app.register(websocket, { options: { maxPayload: 64 * 1024 } });
}

/**
 * The HTTP API: /api/v1 (devices, stations, latest readings, series, dead letters,
 * calibration models, surface, live stream, OpenAPI document), /healthz and /metrics.
 * Every query is validated and every error is `{"error":{"code","message"}}`.
 */
export function createApi(opts: ApiOptions & AppOptions): FastifyInstance {
  // A box's credentials are checked where the maker page's are: the device registry.
  const admin = opts.deviceAdmin;
  const options = resolveOptions(opts, admin && ((user, password) => admin.verify(user, password)));
  // Behind a reverse proxy every client has the proxy's address: `trustProxy` makes the
  // per-IP rate limit use X-Forwarded-For instead (Fastify `trustProxy`).
  const app = Fastify({
    logger: opts.logger ?? false,
    trustProxy: opts.trustProxy ?? false,
    ...ERROR_SERVER_OPTIONS,
  });
  const stats = new ApiStats();
  stats.register(options.metrics);

  installErrorHandlers(app);
  // Errors echo (escaped) input; never let a browser sniff a JSON answer into HTML.
  app.addHook(
    'onSend',
    async (_req, reply) => void reply.header('X-Content-Type-Options', 'nosniff'),
  );
  // Data comes with its licence: what a client or a crawler can find without reading a page.
  const licenceLink = `<${options.openData.license.url}>; rel="license"`;
  app.addHook('onSend', async (req, reply) => {
    if (carriesData(req.url) && reply.statusCode < 300) void reply.header('Link', licenceLink);
  });

  registerPlugins(app, options, stats);
  // Counter rates on /status: sampled every 10 s by an unref'd timer that onClose stops.
  const sampler = new MetricSampler(options.metrics, options.now);
  startStatusSampling(app, sampler);
  // Routes after the plugins: rate-limit and websocket hook into each route as it is added.
  void app.register(async (api) => {
    const docs: RouteDoc[] = [];
    const ctx: RouteContext = { app: api, options, stats, docs };
    systemRoutes(ctx);
    statusRoutes(ctx, sampler);
    deviceRoutes(ctx);
    readingRoutes(ctx);
    deadLetterRoutes(ctx);
    seriesRoutes(ctx);
    extensionRoutes(ctx);
    liveRoutes(ctx);
    rawRoutes(ctx);
    accountRoutes(ctx);
    passwordResetRequestRoute(ctx);
    myDeviceRoutes(ctx);
    transferRoutes(ctx);
    orgRoutes(ctx);
    apiKeyRoutes(ctx);
    opendataRoutes(ctx);
    archiveRoutes(ctx);
    alertPageRoutes(ctx);
    alertRoutes(ctx);
  });
  // The browser app (web/app → web/dist) and its own routes; see routes/app.ts.
  void app.register(async (scope) => appRoutes(scope, opts));
  return app;
}
