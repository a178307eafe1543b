import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { isValidDeviceId, nativeTopic } from '@airbox/protocol';
import type { RegistryView } from '@airbox/registry';
import type { Registry } from '@airbox/registry';
import { mayActForBox } from '../accounts/box-access.ts';
import { signupOpen, type AccountsOptions } from '../accounts/options.ts';
import { deviceUnauthorized, type CredentialCheck } from '../auth.ts';
import { quoteInput, type ErrorBody } from '../errors.ts';

/**
 * The browser app (web/app, built into web/dist by scripts/build.mjs) and the few routes
 * only it uses: its configuration and the maker page's device status and config.
 */

/** What the maker page needs from the broker and the device registry (see `brokerDeviceAdmin`). */
export interface DeviceAdmin {
  /** The role of a valid, unrevoked username/password pair, or null (RegistryView.verify). */
  verify: CredentialCheck;
  /** The retained message on `topic`, or null. */
  retained(topic: string): Promise<Uint8Array | null>;
  /** Publishes a retained QoS 1 message as the server. */
  publishRetained(topic: string, payload: Uint8Array): Promise<void>;
}

export interface AppOptions {
  /** The built app; default web/dist when it holds index.html. `false`: serve no app. */
  appDir?: string | false;
  /** A production MapLibre style URL; the map's bundled offline style otherwise. */
  mapStyleUrl?: string;
  /** Broker and registry access for the maker page; without it those routes answer 404. */
  deviceAdmin?: DeviceAdmin;
}

/** HTML routes of the single-page app (web/app/src/main.ts routes the same paths). */
const PAGES = [
  '/',
  '/school/:id',
  '/device/:id',
  '/download',
  '/embed/:id',
  '/sign-in',
  '/me',
  '/org/:id',
  '/reset-password',
];

/**
 * web/dist seen from this file as source (web/src/routes) and as part of the CLI bundle
 * (cli/dist/airbox.mjs); the first that holds index.html wins.
 */
export function defaultAppDir(): string | null {
  const candidates = ['../../dist/', '../../web/dist/'].map((rel) =>
    fileURLToPath(new URL(rel, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

/**
 * A strict policy: scripts only from our origin, so even a string that slipped into the
 * DOM as markup could not run. MapLibre needs blob: workers; a production tile style may
 * load tiles and images over https. Only /embed/ may be framed by other sites.
 */
function contentSecurityPolicy(frameable: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "connect-src 'self' ws: wss: https:",
    "worker-src 'self' blob:",
    "child-src 'self' blob:",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    `frame-ancestors ${frameable ? '*' : "'self'"}`,
  ].join('; ');
}

function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } } satisfies ErrorBody);
}

const IdParams = z.object({
  id: z.string().refine(isValidDeviceId, {
    error: (iss) => `${quoteInput(iss.input)} is not a device id`,
  }),
});

/** What may be set remotely; mirrors firmware-sim's RemoteConfigSchema, which re-checks it. */
export const RemoteConfigBody = z
  .strictObject({
    intervalS: z.int().min(1).max(86_400).optional(),
    samplesPerReport: z.int().min(1).max(60).optional(),
    format: z.enum(['native', 'lass']).optional(),
    brokerUrl: z
      .string()
      .regex(/^(mqtts?|wss?):\/\/[^/\s]+/, {
        error: 'must be an mqtt://, mqtts://, ws:// or wss:// URL',
      })
      .optional(),
  })
  .refine((c) => (c.samplesPerReport ?? 1) <= (c.intervalS ?? Infinity), {
    error: 'samplesPerReport: at most one sample a second fits in intervalS',
  });

/**
 * The box's own credentials (or a service account's), and its owner signed in (with the
 * CSRF token for a change), may read and change its config.
 */
function owns(
  admin: DeviceAdmin,
  registry: Registry | undefined,
  req: FastifyRequest,
  deviceId: string,
): Promise<boolean> {
  const verify = (user: string, password: string) => admin.verify(user, password);
  return mayActForBox({ verify, registry }, req, deviceId, 'manage');
}

function parseJson(bytes: Uint8Array | null): unknown {
  if (bytes === null || bytes.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return null;
  }
}

/** The device a maker route is about, or null once the error answer is sent. */
type MakerGuard = (
  req: FastifyRequest,
  reply: FastifyReply,
) => { id: string; admin: DeviceAdmin; registry: Registry | undefined } | null;

/** Checks the path's device id, and that this server relays device status and config. */
function makerGuard(admin: DeviceAdmin | undefined, registry: Registry | undefined): MakerGuard {
  return (req, reply) => {
    const params = IdParams.safeParse(req.params);
    if (!params.success) {
      void sendError(
        reply,
        400,
        'bad-path',
        params.error.issues.map((i) => `id: ${i.message}`).join('; '),
      );
      return null;
    }
    if (admin === undefined) {
      void sendError(
        reply,
        404,
        'not-available',
        'this server does not relay device status or config',
      );
      return null;
    }
    return { id: params.data.id, admin, registry };
  };
}

function unauthorized(reply: FastifyReply, id: string) {
  const error = deviceUnauthorized(id);
  return sendError(reply.headers(error.headers), error.statusCode, error.code, error.message);
}

/** GET the box's retained status: public, like its readings. */
function statusRoute(app: FastifyInstance, guard: MakerGuard): void {
  app.get('/app/v1/devices/:id/status', async (req, reply) => {
    const ok = guard(req, reply);
    if (ok === null) return reply;
    const status = parseJson(await ok.admin.retained(nativeTopic(ok.id, 'status')));
    if (status === null || typeof status !== 'object') {
      return sendError(
        reply,
        404,
        'not-found',
        `device ${quoteInput(ok.id)} has no retained status`,
      );
    }
    return { status };
  });
}

/** GET the box's retained config: its owner only. */
function configReadRoute(app: FastifyInstance, guard: MakerGuard): void {
  app.get('/app/v1/devices/:id/config', async (req, reply) => {
    const ok = guard(req, reply);
    if (ok === null) return reply;
    if (!(await owns(ok.admin, ok.registry, req, ok.id))) return unauthorized(reply, ok.id);
    const topic = nativeTopic(ok.id, 'config');
    return { topic, config: parseJson(await ok.admin.retained(topic)) };
  });
}

/** PUT a valid config: published retained on the box's config topic. */
function configWriteRoute(app: FastifyInstance, guard: MakerGuard): void {
  app.put('/app/v1/devices/:id/config', async (req, reply) => {
    const ok = guard(req, reply);
    if (ok === null) return reply;
    if (!(await owns(ok.admin, ok.registry, req, ok.id))) return unauthorized(reply, ok.id);
    const body = RemoteConfigBody.safeParse(req.body);
    if (!body.success) {
      const message = body.error.issues
        .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ');
      return sendError(reply, 400, 'bad-body', message);
    }
    const topic = nativeTopic(ok.id, 'config');
    await ok.admin.publishRetained(topic, Buffer.from(JSON.stringify(body.data)));
    return { topic, config: body.data };
  });
}

function makerRoutes(
  app: FastifyInstance,
  admin: DeviceAdmin | undefined,
  registry: Registry | undefined,
): void {
  const guard = makerGuard(admin, registry);
  statusRoute(app, guard);
  configReadRoute(app, guard);
  configWriteRoute(app, guard);
}

/** Registers the app: static files, the page routes, /app/config.json and the maker routes. */
export function appRoutes(
  app: FastifyInstance,
  opts: AppOptions & { accounts?: AccountsOptions },
): void {
  app.get('/app/config.json', async () => ({
    mapStyleUrl: opts.mapStyleUrl ?? null,
    maker: opts.deviceAdmin !== undefined,
    signup: signupOpen(opts.accounts),
    passwordReset: opts.accounts?.mail !== undefined,
  }));
  makerRoutes(app, opts.deviceAdmin, opts.accounts?.registry);

  const dir = opts.appDir === false ? null : (opts.appDir ?? defaultAppDir());
  if (dir === null || !existsSync(join(dir, 'index.html'))) return;
  void app.register(fastifyStatic, {
    root: dir,
    // Looked up per request (not listed at start), so a rebuild is served without a restart.
    wildcard: true,
    index: false,
    decorateReply: false,
    setHeaders: (reply, path) => {
      // Vite puts a content hash in every name under assets/: those never change.
      void reply.header(
        'Cache-Control',
        path.startsWith(join(dir, 'assets')) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      // /index.html (and any page in the build) served as a file: the pages' own policy.
      void reply.header('Content-Security-Policy', contentSecurityPolicy(false));
    },
  });
  for (const url of PAGES) {
    app.get(url, async (req, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('Cache-Control', 'no-cache')
        .header('Content-Security-Policy', contentSecurityPolicy(req.url.startsWith('/embed/')))
        .send(await readFile(join(dir, 'index.html'))),
    );
  }
}

/** The structural bits of an Aedes broker `brokerDeviceAdmin` uses (no Aedes dependency here). */
export interface RetainedBroker {
  publish(
    packet: { cmd: 'publish'; topic: string; payload: Buffer; qos: 1; retain: true; dup: false },
    done: (error?: Error) => void,
  ): void;
  persistence: { createRetainedStream(pattern: string): AsyncIterable<{ payload?: unknown }> };
}

/** DeviceAdmin over a running Aedes broker and the registry's boxes (for `airbox serve`). */
export function brokerDeviceAdmin(
  broker: RetainedBroker,
  registry: Pick<RegistryView, 'verify'>,
): DeviceAdmin {
  return {
    verify: (username, password) => registry.verify(username, password)?.role ?? null,
    retained: async (topic) => {
      for await (const packet of broker.persistence.createRetainedStream(topic)) {
        const p = packet.payload;
        if (p instanceof Uint8Array) return p;
        if (typeof p === 'string') return Buffer.from(p);
      }
      return null;
    },
    publishRetained: (topic, payload) =>
      new Promise((resolve, reject) =>
        broker.publish(
          {
            cmd: 'publish',
            topic,
            payload: Buffer.from(payload),
            qos: 1,
            retain: true,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        ),
      ),
  };
}
