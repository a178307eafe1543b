import { requireAccount } from '../accounts/principal.ts';
import { ApiKeyBody, IdParams } from '../accounts/schemas.ts';
import { ApiError, quoteInput } from '../errors.ts';
import { ErrorDoc } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, getRoute, type RouteContext } from './define.ts';

/**
 * A researcher's API keys: `Authorization: Bearer <key>` on any read route, with its own
 * quota above the anonymous limit (key-quota.ts). The key is shown once; a hash is kept.
 */
export function apiKeyRoutes(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/me/api-keys',
      tag: 'accounts',
      summary: 'a new API key, shown this once',
      auth: 'account',
      body: ApiKeyBody,
      responses: {
        201: { description: 'the key (`key`) and its quota' },
        401: { description: 'not signed in (`not-signed-in`)', json: ErrorDoc },
      },
    },
    async ({ body }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      return reply.code(201).send(await registry.apiKeys.create(who.account.id, body.name));
    },
  );
  getRoute(
    ctx,
    {
      url: '/api/v1/me/api-keys',
      tag: 'accounts',
      summary: 'your API keys (without the keys themselves)',
      auth: 'account',
      responses: {
        200: { description: 'the keys' },
        401: { description: 'not signed in', json: ErrorDoc },
      },
    },
    async (_input, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      return { keys: await registry.apiKeys.list(who.account.id) };
    },
  );
  revokeRoute(ctx);
}

function revokeRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'delete',
      url: '/api/v1/me/api-keys/:id',
      tag: 'accounts',
      summary: 'revoke an API key: it stops working at once',
      auth: 'account',
      params: IdParams,
      responses: {
        204: { description: 'revoked' },
        404: { description: 'you have no such key (`not-found`)', json: ErrorDoc },
      },
    },
    async ({ params }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      if (!(await registry.apiKeys.revoke(who.account.id, params.id))) {
        throw new ApiError(404, 'not-found', `you have no API key ${quoteInput(params.id)}`);
      }
      return reply.code(204).send();
    },
  );
}
