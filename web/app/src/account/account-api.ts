/**
 * The account pages' calls: sign-up and sign-in (the session cookie), /me and its CSRF
 * token, the signed-in account's boxes, organisations and API keys. Answers are parsed
 * with zod (outside input); a change sends the CSRF token the server gave with /me.
 */
import { z } from 'zod';
import { enc, request } from '../http.ts';

const AccountSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  operator: z.boolean(),
});

const SignedInSchema = z.object({ account: AccountSchema, csrfToken: z.string() });

const MeSchema = z.object({
  account: AccountSchema,
  organisations: z.array(
    z.object({ id: z.string(), name: z.string(), kind: z.string(), role: z.string() }),
  ),
  csrfToken: z.string(),
});
export type Me = z.output<typeof MeSchema>;

const OwnerSchema = z.object({ kind: z.enum(['account', 'org']), id: z.string() }).nullable();

export const MyDeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string().nullable(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
  placement: z.enum(['outdoor', 'indoor']),
  visibility: z.enum(['public', 'private']),
  exactPosition: z.boolean(),
  owner: OwnerSchema,
  revokedAt: z.string().nullable(),
  latest: z
    .object({
      time: z.string(),
      pm25UgM3: z.number().nullable().optional(),
      pm25CalibratedUgM3: z.number().nullable().optional(),
    })
    .passthrough()
    .nullable(),
});
export type MyDevice = z.output<typeof MyDeviceSchema>;

export const CredentialsSchema = z.object({
  deviceId: z.string(),
  username: z.string(),
  password: z.string(),
  mqtt: z.object({ host: z.string(), port: z.number(), wsPort: z.number().optional() }),
  topic: z.string(),
  example: z.string(),
});
export type BoxCredentials = z.output<typeof CredentialsSchema>;

const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  perMinute: z.number(),
  bytesPerDay: z.number(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export interface NewBox {
  deviceId?: string;
  name: string;
  lat: number;
  lon: number;
  indoor: boolean;
  visibility: 'public' | 'private';
  exactPosition: boolean;
  orgId?: string;
}

const json = (method: string, csrf: string | null, body?: unknown): RequestInit => ({
  method,
  credentials: 'same-origin',
  headers: {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(csrf === null ? {} : { 'x-csrf-token': csrf }),
  },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

const Empty = z.unknown();

export const accountApi = {
  signUp: (body: { email: string; password: string; displayName: string }) =>
    request('/api/v1/accounts', SignedInSchema, json('POST', null, body)),
  signIn: (body: { email: string; password: string }) =>
    request('/api/v1/session', SignedInSchema, json('POST', null, body)),
  /** The one-time token of a reset link; every session of the account ends. */
  resetPassword: (body: { token: string; newPassword: string }) =>
    request('/api/v1/password-reset', Empty, json('POST', null, body)),
  /** Mails a reset link if an account has `email`; the same answer either way. */
  requestReset: (email: string) =>
    request('/api/v1/password-resets', Empty, json('POST', null, { email })),
  signOut: (csrf: string) => request('/api/v1/session', Empty, json('DELETE', csrf)),
  me: () => request('/api/v1/me', MeSchema, { credentials: 'same-origin' }),
  myDevices: async () =>
    (
      await request('/api/v1/me/devices', z.object({ devices: z.array(MyDeviceSchema) }), {
        credentials: 'same-origin',
      })
    ).devices,
  register: (csrf: string, box: NewBox) =>
    request('/api/v1/me/devices', CredentialsSchema, json('POST', csrf, box)),
  rotate: (csrf: string, id: string) =>
    request(`/api/v1/devices/${enc(id)}/credentials`, CredentialsSchema, json('POST', csrf)),
  update: (csrf: string, id: string, patch: Record<string, unknown>) =>
    request(`/api/v1/devices/${enc(id)}`, Empty, json('PATCH', csrf, patch)),
  remove: (csrf: string, id: string) =>
    request(`/api/v1/devices/${enc(id)}`, Empty, json('DELETE', csrf)),
  apiKeys: async () =>
    (
      await request('/api/v1/me/api-keys', z.object({ keys: z.array(ApiKeySchema) }), {
        credentials: 'same-origin',
      })
    ).keys,
  newApiKey: (csrf: string, name: string) =>
    request(
      '/api/v1/me/api-keys',
      ApiKeySchema.extend({ key: z.string() }),
      json('POST', csrf, { name }),
    ),
  newAlert: (csrf: string, body: Record<string, unknown>) =>
    request(
      '/api/v1/me/alerts',
      z.object({ id: z.string(), secret: z.string() }),
      json('POST', csrf, body),
    ),
  revokeApiKey: (csrf: string, id: string) =>
    request(`/api/v1/me/api-keys/${enc(id)}`, Empty, json('DELETE', csrf)),
  newOrg: (csrf: string, body: { name: string; kind: string }) =>
    request(
      '/api/v1/orgs',
      z.object({ id: z.string(), name: z.string() }),
      json('POST', csrf, body),
    ),
  org: (id: string) =>
    request(
      `/api/v1/orgs/${enc(id)}`,
      z.object({
        id: z.string(),
        name: z.string(),
        kind: z.string(),
        members: z.array(
          z.object({
            accountId: z.string(),
            email: z.string(),
            displayName: z.string(),
            role: z.string(),
          }),
        ),
        devices: z.array(MyDeviceSchema),
      }),
      { credentials: 'same-origin' },
    ),
  addMember: (csrf: string, orgId: string, body: { email: string; role: string }) =>
    request(`/api/v1/orgs/${enc(orgId)}/members`, Empty, json('POST', csrf, body)),
};
