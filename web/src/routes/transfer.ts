import type { Owner, Registry } from '@airbox/registry';
import { requireDevice, requireOrgRole } from '../accounts/permissions.ts';
import { requireAccount, type Principal } from '../accounts/principal.ts';
import { IdParams, TransferBody } from '../accounts/schemas.ts';
import { ApiError, quoteInput } from '../errors.ts';
import { ErrorDoc } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, type RouteContext } from './define.ts';

/**
 * Giving a box away — a company registers fifty and hands them to schools — and assigning an
 * anonymous LASS box that already publishes to an owner (operators and the receiving
 * organisation's admins), which keeps taking its anonymous lines.
 */
export function transferRoutes(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/devices/:id/transfer',
      tag: 'my boxes',
      summary: 'give the box to an organisation or an account; or assign an anonymous LASS box',
      description:
        'A box you own, or one of an organisation you administer, goes to `orgId` or to the account of `accountEmail`. An anonymous LASS box not yet registered but already publishing is assigned to `orgId` by that organisation’s admins, or to anyone by an operator.',
      auth: 'account',
      params: IdParams,
      body: TransferBody,
      responses: {
        200: { description: 'the box as it is now' },
        401: { description: 'not signed in (`not-signed-in`)', json: ErrorDoc },
        403: { description: 'not yours to give (`forbidden`)', json: ErrorDoc },
        404: {
          description: 'no such box, organisation or account (`unknown-device`, `not-found`)',
          json: ErrorDoc,
        },
      },
    },
    async ({ params, body }, req) => {
      const accounts = accountsOf(ctx);
      const { registry } = accounts;
      const who = await requireAccount(registry, req);
      const to = await receiver(registry, body);
      const known = await registry.devices.get(params.id);
      if (known === null) {
        await assignAnonymous(ctx, who, params.id, to);
      } else {
        await requireDevice(registry, who, params.id, 'manage');
        if (known.owner?.kind === 'org')
          await requireOrgRole(registry, who, known.owner.id, 'admin');
        await registry.devices.transfer(params.id, to);
      }
      await accounts.afterDeviceChange?.();
      return registry.devices.get(params.id);
    },
  );
}

async function receiver(
  registry: Registry,
  body: { orgId?: string; accountEmail?: string },
): Promise<Owner> {
  if ((body.orgId === undefined) === (body.accountEmail === undefined)) {
    throw new ApiError(400, 'bad-body', 'give exactly one of orgId and accountEmail');
  }
  if (body.orgId !== undefined) {
    if ((await registry.orgs.get(body.orgId)) === null) {
      throw new ApiError(404, 'not-found', `no organisation ${quoteInput(body.orgId)}`);
    }
    return { kind: 'org', id: body.orgId };
  }
  const account = await registry.accounts.byEmail(body.accountEmail ?? '');
  if (account === null) {
    throw new ApiError(
      404,
      'not-found',
      `no account with the e-mail ${quoteInput(body.accountEmail)}`,
    );
  }
  return { kind: 'account', id: account.id };
}

async function assignAnonymous(ctx: RouteContext, who: Principal, deviceId: string, to: Owner) {
  const { registry } = accountsOf(ctx);
  if (!who.account.operator) {
    if (to.kind !== 'org')
      throw new ApiError(403, 'forbidden', 'only an operator assigns a box to an account');
    await requireOrgRole(registry, who, to.id, 'admin');
  }
  const [seen] = await ctx.options.ownerStore.latest({ deviceIds: [deviceId], kind: 'box' });
  if (seen === undefined) {
    throw new ApiError(404, 'unknown-device', `no box ${quoteInput(deviceId)} has published here`);
  }
  await registry.devices.add({ deviceId, owner: to, anonymousLass: true });
}
