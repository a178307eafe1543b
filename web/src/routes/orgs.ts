import { requireOrgRole } from '../accounts/permissions.ts';
import { requireAccount } from '../accounts/principal.ts';
import { IdParams, MemberBody, OrgBody, OrgMemberParams } from '../accounts/schemas.ts';
import { ApiError, quoteInput } from '../errors.ts';
import { ErrorDoc } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, getRoute, type RouteContext } from './define.ts';
import { withLatest } from './my-devices.ts';

/**
 * Organisations — a school, a county, a company, a community group — with members in roles
 * (permissions.ts), and a page of all their boxes together: a school's classrooms on one
 * dashboard.
 */
export function orgRoutes(ctx: RouteContext): void {
  createRoute(ctx);
  showRoute(ctx);
  memberRoutes(ctx);
}

const NOT_SIGNED_IN = { description: 'not signed in (`not-signed-in`)', json: ErrorDoc };

function createRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/orgs',
      tag: 'organisations',
      summary: 'a new organisation; you are its owner',
      auth: 'account',
      body: OrgBody,
      responses: { 201: { description: 'the organisation' }, 401: NOT_SIGNED_IN },
    },
    async ({ body }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      return reply.code(201).send(await registry.orgs.create(body, who.account.id));
    },
  );
}

function showRoute(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/orgs/:id',
      tag: 'organisations',
      summary: 'the organisation, its members and its boxes with their newest readings',
      auth: 'account',
      params: IdParams,
      responses: {
        200: { description: 'the organisation' },
        401: NOT_SIGNED_IN,
        404: { description: 'not one of yours (`not-found`)', json: ErrorDoc },
      },
    },
    async ({ params }, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      await requireOrgRole(registry, who, params.id, 'viewer');
      const [org, members, devices] = await Promise.all([
        registry.orgs.get(params.id),
        registry.orgs.members(params.id),
        registry.devices.list({ owner: { kind: 'org', id: params.id } }),
      ]);
      return {
        ...org,
        members: members.map(({ account, role }) => ({
          accountId: account.id,
          email: account.email,
          displayName: account.displayName,
          role,
        })),
        devices: await withLatest(ctx.options.ownerStore, devices),
      };
    },
  );
}

function memberRoutes(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/orgs/:id/members',
      tag: 'organisations',
      summary: 'add an account to the organisation, or change its role (admins and owners)',
      auth: 'account',
      params: IdParams,
      body: MemberBody,
      responses: {
        204: { description: 'the account is a member in that role' },
        401: NOT_SIGNED_IN,
        403: { description: 'you are not an admin here (`forbidden`)', json: ErrorDoc },
        404: { description: 'no such organisation or account (`not-found`)', json: ErrorDoc },
      },
    },
    async ({ params, body }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      await requireOrgRole(registry, who, params.id, 'admin');
      const mine = await registry.orgs.roleOf(params.id, who.account.id);
      if (body.role === 'owner' && mine !== 'owner' && !who.account.operator) {
        throw new ApiError(403, 'forbidden', 'only an owner makes another owner');
      }
      const account = await registry.accounts.byEmail(body.email);
      if (account === null) {
        throw new ApiError(
          404,
          'not-found',
          `no account with the e-mail ${quoteInput(body.email)}`,
        );
      }
      await registry.orgs.setMember(params.id, account.id, body.role);
      return reply.code(204).send();
    },
  );
  removeMemberRoute(ctx);
}

function removeMemberRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'delete',
      url: '/api/v1/orgs/:id/members/:accountId',
      tag: 'organisations',
      summary: 'remove a member (admins), or leave the organisation yourself',
      auth: 'account',
      params: OrgMemberParams,
      responses: {
        204: { description: 'no longer a member' },
        401: NOT_SIGNED_IN,
        403: { description: 'you are not an admin here (`forbidden`)', json: ErrorDoc },
      },
    },
    async ({ params }, req, reply) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      if (params.accountId !== who.account.id) {
        await requireOrgRole(registry, who, params.id, 'admin');
      }
      await registry.orgs.removeMember(params.id, params.accountId);
      return reply.code(204).send();
    },
  );
}
