import { z } from 'zod';
import { ORG_KINDS, ORG_ROLES, PLACEMENTS, VISIBILITIES } from '@airbox/registry';
import { isValidDeviceId } from '@airbox/protocol';
import { quoteInput } from '../errors.ts';
import { docSchemas } from '../schemas.ts';

/** Request bodies and answers of the account routes, documented in the OpenAPI document. */

const email = z.string().trim().max(254).describe('an e-mail address; compared in lower case');
// The KDF's input is bounded, so a megabyte "password" costs no more than a normal one.
const password = z.string().max(256).describe('at least 10 characters');

export const SignUpBody = z.object({
  email,
  password,
  displayName: z.string().trim().min(1).max(80),
});

export const SignInBody = z.object({ email, password });

export const ResetRequestBody = z.object({ email });

export const ResetRequestedDoc = z
  .object({ message: z.string() })
  .register(docSchemas, { id: 'ResetRequested' });

export const PasswordChangeBody = z.object({ currentPassword: password, newPassword: password });

export const PasswordResetBody = z.object({
  token: z.string().min(16).max(128).describe('the token of the reset link'),
  newPassword: password,
});

const deviceId = z.string().refine(isValidDeviceId, {
  error: (iss) =>
    `${quoteInput(iss.input)} is not a device id: 1–64 letters, digits, '_', '-', '.' or ':'`,
});

export const NewDeviceBody = z.object({
  deviceId: deviceId
    .optional()
    .describe('an id of your own, or the LASS device_id / MAC the box already uses (74DA38…)'),
  name: z.string().trim().min(1).max(80),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  indoor: z.boolean().default(false),
  visibility: z.enum(VISIBILITIES).default('public'),
  exactPosition: z
    .boolean()
    .default(false)
    .describe('show the exact position; off: public routes round it to ~100 m'),
  orgId: z.string().max(64).optional().describe('register it for an organisation you belong to'),
});

export const DevicePatchBody = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lon: z.number().min(-180).max(180).optional(),
  placement: z.enum(PLACEMENTS).optional(),
  visibility: z.enum(VISIBILITIES).optional(),
  exactPosition: z.boolean().optional(),
});

export const TransferBody = z.object({
  orgId: z.string().max(64).optional().describe('the organisation that gets the box'),
  accountEmail: email.optional().describe('or the account that gets it'),
});

export const OrgBody = z.object({
  name: z.string().trim().min(1).max(120),
  kind: z.enum(ORG_KINDS),
});

export const MemberBody = z.object({ email, role: z.enum(ORG_ROLES) });

export const ApiKeyBody = z.object({ name: z.string().trim().min(1).max(80) });

export const IdParams = z.object({ id: z.string().min(1).max(64) });
export const OrgMemberParams = z.object({
  id: z.string().min(1).max(64),
  accountId: z.string().min(1).max(64),
});

export const AccountDoc = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    operator: z.boolean(),
    createdAt: z.string(),
  })
  .register(docSchemas, { id: 'Account' });

export const SignedInDoc = z
  .object({
    account: AccountDoc,
    csrfToken: z.string().describe('send it as X-CSRF-Token with every change'),
  })
  .register(docSchemas, { id: 'SignedIn' });

export const MeDoc = z
  .object({
    account: AccountDoc,
    organisations: z.array(
      z.object({ id: z.string(), name: z.string(), kind: z.string(), role: z.string() }),
    ),
    csrfToken: z.string().describe('send it as X-CSRF-Token with every change'),
  })
  .register(docSchemas, { id: 'Me' });

export const CredentialsDoc = z
  .object({
    deviceId: z.string(),
    username: z.string(),
    password: z.string().describe('shown this once; only a hash is kept'),
    mqtt: z.object({ host: z.string(), port: z.number(), wsPort: z.number().optional() }),
    topic: z.string().describe('where the box publishes its readings'),
    example: z.string().describe('a mosquitto_pub line that publishes one reading'),
  })
  .register(docSchemas, { id: 'BoxCredentials' });
