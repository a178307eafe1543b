import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Credentials, DeviceRecord, Owner, Registry } from '@airbox/registry';
import { nativeTopic } from '@airbox/protocol';
import type { ReadingStore } from '@airbox/store';
import type { AccountsOptions } from '../accounts/options.ts';
import { requireDevice, requireOrgRole } from '../accounts/permissions.ts';
import { requireAccount, type Principal } from '../accounts/principal.ts';
import { CredentialsDoc, DevicePatchBody, IdParams, NewDeviceBody } from '../accounts/schemas.ts';
import { ErrorDoc } from '../schemas.ts';
import { accountsOf } from './accounts.ts';
import { changeRoute, getRoute, type RouteContext } from './define.ts';

/**
 * A maker's own boxes: register one (credentials shown once, with the exact connection
 * settings), list them with their newest reading, change, rotate, revoke and remove them.
 * Every route checks the box against the signed-in account (permissions.ts).
 */
export function myDeviceRoutes(ctx: RouteContext): void {
  registerRoute(ctx);
  listRoute(ctx);
  rotateRoute(ctx);
  patchRoute(ctx);
  deleteRoute(ctx);
}

const OWNER_RESPONSES = {
  401: { description: 'not signed in (`not-signed-in`)', json: ErrorDoc },
  403: {
    description: 'not your box, or no CSRF token (`forbidden`, `csrf-token-invalid`)',
    json: ErrorDoc,
  },
  404: { description: 'no such box among yours (`unknown-device`)', json: ErrorDoc },
};

/** A new box's id when the maker brings none: `box-` and 10 random base-32 characters. */
function newDeviceId(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  return `box-${[...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** Credentials with what a maker types into the box or a terminal to send a first reading. */
export function connectionSettings(accounts: AccountsOptions, req: FastifyRequest, c: Credentials) {
  const host = accounts.mqtt?.host ?? req.hostname.replace(/:\d+$/, '');
  const port = accounts.mqtt?.port ?? 1883;
  const topic = nativeTopic(c.deviceId, 'reading');
  const reading = JSON.stringify({
    time: new Date().toISOString().slice(0, 19) + 'Z',
    pm25UgM3: 12,
  });
  return {
    ...c,
    mqtt: {
      host,
      port,
      ...(accounts.mqtt?.wsPort === undefined ? {} : { wsPort: accounts.mqtt.wsPort }),
    },
    topic,
    example: `mosquitto_pub -V mqttv311 -q 1 -h ${host} -p ${port} -u ${c.username} -P '${c.password}' -t ${topic} -m '${reading}'`,
  };
}

async function changed(accounts: AccountsOptions): Promise<void> {
  await accounts.afterDeviceChange?.();
}

function registerRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/me/devices',
      tag: 'my boxes',
      summary: 'register a box; its MQTT credentials are shown this once',
      auth: 'account',
      body: NewDeviceBody,
      responses: {
        201: { description: 'the credentials and how to connect', json: CredentialsDoc },
        ...OWNER_RESPONSES,
        409: { description: 'the id is taken (`exists`)', json: ErrorDoc },
      },
    },
    async ({ body }, req, reply) => {
      const accounts = accountsOf(ctx);
      const { registry } = accounts;
      const who = await requireAccount(registry, req);
      if (body.orgId !== undefined) await requireOrgRole(registry, who, body.orgId, 'member');
      const owner: Owner =
        body.orgId === undefined
          ? { kind: 'account', id: who.account.id }
          : { kind: 'org', id: body.orgId };
      const creds = await registry.devices.add({
        deviceId: body.deviceId ?? newDeviceId(),
        name: body.name,
        lat: body.lat,
        lon: body.lon,
        placement: body.indoor ? 'indoor' : 'outdoor',
        visibility: body.visibility,
        exactPosition: body.exactPosition,
        owner,
      });
      await changed(accounts);
      return reply.code(201).send(connectionSettings(accounts, req, creds));
    },
  );
}

/** Each box with its newest reading (or null), as its owner sees it: private and exact. */
export async function withLatest(store: ReadingStore, devices: DeviceRecord[]) {
  if (devices.length === 0) return [];
  const latest = await store.latest({ deviceIds: devices.map((d) => d.deviceId) });
  const byId = new Map(latest.map((r) => [r.deviceId, r]));
  return devices.map((d) => ({ ...d, latest: byId.get(d.deviceId) ?? null }));
}

/** The boxes an account owns and those of its organisations, each once. */
export async function boxesOf(registry: Registry, who: Principal): Promise<DeviceRecord[]> {
  const orgs = await registry.orgs.listOf(who.account.id);
  const lists = await Promise.all([
    registry.devices.list({ owner: { kind: 'account', id: who.account.id } }),
    ...orgs.map((o) => registry.devices.list({ owner: { kind: 'org', id: o.id } })),
  ]);
  return lists.flat();
}

function listRoute(ctx: RouteContext): void {
  getRoute(
    ctx,
    {
      url: '/api/v1/me/devices',
      tag: 'my boxes',
      summary: 'your boxes and your organisations’, with the newest reading of each',
      auth: 'account',
      responses: { 200: { description: 'the boxes' }, 401: OWNER_RESPONSES[401] },
    },
    async (_input, req) => {
      const { registry } = accountsOf(ctx);
      const who = await requireAccount(registry, req);
      const devices = await boxesOf(registry, who);
      return { devices: await withLatest(ctx.options.ownerStore, devices) };
    },
  );
}

function rotateRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'post',
      url: '/api/v1/devices/:id/credentials',
      tag: 'my boxes',
      summary: 'a new password for the box; the old one stops working and its connection ends',
      auth: 'account',
      params: IdParams,
      responses: {
        201: { description: 'the new credentials and how to connect', json: CredentialsDoc },
        ...OWNER_RESPONSES,
      },
    },
    async ({ params }, req, reply) => {
      const accounts = accountsOf(ctx);
      const who = await requireAccount(accounts.registry, req);
      await requireDevice(accounts.registry, who, params.id, 'manage');
      const creds = await accounts.registry.devices.rotate(params.id);
      await changed(accounts);
      return reply.code(201).send(connectionSettings(accounts, req, creds));
    },
  );
}

function patchRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'patch',
      url: '/api/v1/devices/:id',
      tag: 'my boxes',
      summary: 'rename the box, move it, set it indoors or outdoors, public or private',
      auth: 'account',
      params: IdParams,
      body: DevicePatchBody,
      responses: { 200: { description: 'the box as it is now' }, ...OWNER_RESPONSES },
    },
    async ({ params, body }, req) => {
      const accounts = accountsOf(ctx);
      const who = await requireAccount(accounts.registry, req);
      await requireDevice(accounts.registry, who, params.id, 'manage');
      const device = await accounts.registry.devices.update(params.id, body);
      await changed(accounts);
      return device;
    },
  );
}

function deleteRoute(ctx: RouteContext): void {
  changeRoute(
    ctx,
    {
      method: 'delete',
      url: '/api/v1/devices/:id',
      tag: 'my boxes',
      summary: 'remove the box: its credentials stop working; its stored readings stay',
      auth: 'account',
      params: IdParams,
      responses: { 204: { description: 'removed' }, ...OWNER_RESPONSES },
    },
    async ({ params }, req, reply) => {
      const accounts = accountsOf(ctx);
      const who = await requireAccount(accounts.registry, req);
      await requireDevice(accounts.registry, who, params.id, 'manage');
      await accounts.registry.devices.remove(params.id);
      await changed(accounts);
      return reply.code(204).send();
    },
  );
}
