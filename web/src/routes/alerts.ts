import {
  AlertError,
  alertInputSchema,
  areaTest,
  checkSubscription,
  mayWatchBox,
  mayWatchOrg,
  specJson,
  type AlertInput,
} from '@airbox/alerts';
import type { AlertSubscriptionRecord, Owner, Registry } from '@airbox/registry';
import { z } from 'zod';
import { requireOrgRole } from '../accounts/permissions.ts';
import { requireAccount, type Principal } from '../accounts/principal.ts';
import { IdParams } from '../accounts/schemas.ts';
import { ApiError, quoteInput } from '../errors.ts';
import { ErrorDoc, docSchemas } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, getRoute, type RouteContext } from './define.ts';

/**
 * Alert subscriptions (issue 16): an account subscribes for itself or for an organisation it
 * is a member of, to a box it may see, an organisation's boxes, or an area. Whoever may not
 * see a subscription is told it does not exist.
 */
export function alertRoutes(ctx: RouteContext): void {
  createRoute(ctx);
  listRoute(ctx);
  pauseRoute(ctx);
  deleteRoute(ctx);
  activeRoute(ctx);
}

const NewAlertBody = alertInputSchema
  .extend({ orgId: z.string().min(1).max(64).optional() })
  .register(docSchemas, { id: 'NewAlert' });
const AlertPatchBody = z.strictObject({ paused: z.boolean() });
const CreatedAlert = z
  .object({ id: z.string(), secret: z.string() })
  .register(docSchemas, { id: 'CreatedAlert' });

const RESPONSES = {
  401: { description: 'not signed in (`not-signed-in`)', json: ErrorDoc },
  403: { description: 'no CSRF token (`csrf-token-invalid`)', json: ErrorDoc },
  404: { description: 'no such alert among yours (`not-found`)', json: ErrorDoc },
};

function createRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/me/alerts',
      tag: 'alerts',
      summary: 'subscribe to an alert; its webhook secret is shown this once',
      description:
        'kind `threshold` (thresholdUgM3, forMinutes, clearBelowUgM3), `category` (scale, category) or `offline` (offlineAfterMinutes); with orgId the organisation owns it.',
      auth: 'account',
      body: NewAlertBody,
      responses: {
        201: {
          description: 'the id and the HMAC secret of webhook signatures',
          json: CreatedAlert,
        },
        400: {
          description:
            'a field that makes no sense (`invalid-alert`, `invalid-webhook-url`, `private-webhook-address`)',
          json: ErrorDoc,
        },
        ...RESPONSES,
        404: { description: 'no such box or organisation among those you may see', json: ErrorDoc },
      },
    },
    async ({ body }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const { orgId, ...input } = body;
      if (orgId !== undefined) await requireOrgRole(registry, who, orgId, 'member');
      const owner: Owner =
        orgId === undefined ? { kind: 'account', id: who.account.id } : { kind: 'org', id: orgId };
      await requireTarget(registry, owner, input);
      const allowPrivateWebhooks = ctx.options.alerts?.allowPrivateWebhooks ?? false;
      const spec = await asApiError(checkSubscription(input, { allowPrivateWebhooks }));
      const created = await registry.alerts.create({
        owner,
        kind: spec.kind,
        spec: specJson(spec),
      });
      return reply.code(201).send(created);
    },
  );
}

/** A box or organisation the owner may not see answers as unknown: its existence is not told. */
async function requireTarget(registry: Registry, owner: Owner, input: AlertInput): Promise<void> {
  const t = input.target;
  if ('deviceId' in t) {
    const box = await registry.devices.get(t.deviceId);
    if (box === null || !(await mayWatchBox(registry, owner, box))) {
      throw new ApiError(
        404,
        'unknown-device',
        `no box ${quoteInput(t.deviceId)} among those you may see`,
      );
    }
  } else if ('orgId' in t && !(await mayWatchOrg(registry, owner, t.orgId))) {
    throw new ApiError(404, 'not-found', `no organisation ${quoteInput(t.orgId)} among yours`);
  }
}

async function asApiError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (e instanceof AlertError) throw new ApiError(400, e.code, e.message);
    throw e;
  }
}

/** A subscription as its owners see it: everything but the secret, shown only at creation. */
function shown(s: AlertSubscriptionRecord) {
  return { id: s.id, owner: s.owner, paused: s.paused, createdAt: s.createdAt, ...s.spec };
}

function listRoute(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/me/alerts',
      tag: 'alerts',
      summary: 'your alert subscriptions and your organisations’',
      auth: 'account',
      responses: { 200: { description: 'the subscriptions' }, 401: RESPONSES[401] },
    },
    async (_input, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const orgs = await registry.orgs.listOf(who.account.id);
      const lists = await Promise.all([
        registry.alerts.listOf({ kind: 'account', id: who.account.id }),
        ...orgs.map((o) => registry.alerts.listOf({ kind: 'org', id: o.id })),
      ]);
      return { alerts: lists.flat().map(shown) };
    },
  );
}

/** The subscription, if the account may change it: its own, or its organisation's as a member. */
async function requireMine(registry: Registry, who: Principal, id: string) {
  const sub = await registry.alerts.get(id);
  const role =
    sub?.owner.kind === 'org' ? await registry.orgs.roleOf(sub.owner.id, who.account.id) : null;
  const mine =
    sub !== null &&
    ((sub.owner.kind === 'account' && sub.owner.id === who.account.id) ||
      (role !== null && role !== 'viewer'));
  if (!mine) throw new ApiError(404, 'not-found', `no alert ${quoteInput(id)} among yours`);
  return sub;
}

function pauseRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'patch',
      url: '/api/v1/me/alerts/:id',
      tag: 'alerts',
      summary: 'pause or resume an alert',
      auth: 'account',
      params: IdParams,
      body: AlertPatchBody,
      responses: { 200: { description: 'the subscription as it is now' }, ...RESPONSES },
    },
    async ({ params, body }, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const sub = await requireMine(registry, who, params.id);
      await registry.alerts.setPaused(sub.id, body.paused);
      return shown({ ...sub, paused: body.paused });
    },
  );
}

function deleteRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'delete',
      url: '/api/v1/me/alerts/:id',
      tag: 'alerts',
      summary: 'delete an alert; nothing more is sent for it',
      auth: 'account',
      params: IdParams,
      responses: { 204: { description: 'deleted' }, ...RESPONSES },
    },
    async ({ params }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      await requireMine(registry, who, params.id);
      await registry.alerts.delete(params.id);
      return reply.code(204).send();
    },
  );
}

const ActiveQuery = z.object({ deviceId: z.string().min(1).max(64).optional() });

function activeRoute(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/alerts/active',
      tag: 'alerts',
      summary: 'the public area alerts ongoing now (areas count public outdoor boxes only)',
      description:
        'With deviceId, those whose area holds that public box (the school page banner).',
      query: ActiveQuery,
      responses: { 200: { description: 'the ongoing area alerts, oldest first' } },
    },
    async ({ query }) => {
      const alerts = ctx.options.alerts?.active() ?? [];
      if (query.deviceId === undefined) return { alerts };
      // The public store: a private box has no reading here, so no alert is told for it.
      const [latest] = await ctx.options.store.latest({ deviceIds: [query.deviceId] });
      const { lat, lon } = latest ?? { lat: null, lon: null };
      if (lat === null || lon === null) return { alerts: [] };
      return { alerts: alerts.filter((a) => areaTest(a.area).contains(lat, lon)) };
    },
  );
}
