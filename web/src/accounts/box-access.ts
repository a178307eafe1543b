import type { FastifyRequest } from 'fastify';
import type { Registry } from '@airbox/registry';
import type { ResolvedApiOptions } from '../options.ts';
import {
  basicCredentials,
  deviceUnauthorized,
  isOperator,
  ownsDevice,
  type CredentialCheck,
} from '../auth.ts';
import { ApiError } from '../errors.ts';
import { deviceAccess, requireDevice, type DeviceAccess } from './permissions.ts';
import { principalOf, requireAccount } from './principal.ts';

/** What the check needs to know of the server; each is optional (a server may lack it). */
export interface BoxAccessSources {
  /** Box credentials (the registry's verify): the box itself, or a service account. */
  verify?: CredentialCheck | undefined;
  operatorToken?: string | undefined;
  registry?: Registry | undefined;
}

/** The API's own sources: its box credentials, operator token and registry. */
export function apiBoxAccess(options: ResolvedApiOptions): BoxAccessSources {
  return {
    verify: options.verifyCredentials,
    operatorToken: options.operatorToken,
    registry: options.accounts?.registry,
  };
}

/**
 * Who may act for a box — read what it sent (dead letters, exact positions included) or
 * change its retained config: the box itself (its MQTT credentials as HTTP Basic, or a
 * service account's), the operator (the bearer token), and signed-in accounts that own the
 * box, belong to its organisation (`need`: a viewer may view, not manage), or are operators.
 * A change made with the session cookie needs its CSRF token (requireAccount).
 */
export async function mayActForBox(
  sources: BoxAccessSources,
  req: FastifyRequest,
  deviceId: string,
  need: DeviceAccess,
): Promise<boolean> {
  const { verify, registry } = sources;
  if (verify !== undefined && ownsDevice(verify, req, deviceId)) return true;
  if (isOperator(sources.operatorToken, req)) return true;
  if (registry === undefined || (await principalOf(registry, req)) === null) return false;
  const who = await requireAccount(registry, req);
  const device = await registry.devices.get(deviceId);
  if (device === null) return who.account.operator;
  const access = await deviceAccess(registry, who, device);
  return access === 'manage' || access === need;
}

/**
 * Throws unless the request may read what the box sent — its raw tail, its dead letters —
 * coded as every owner-only route is: 401 when nobody (or a wrong box password, or a
 * revoked key) asks, and for an account that may not: 404 when the box is private (its
 * existence is not told) or unknown, 403 when anyone can see it anyway. An operator account
 * may read a box the registry does not know, such as an anonymous LASS box publishing.
 */
export async function requireBoxReader(
  sources: BoxAccessSources,
  req: FastifyRequest,
  deviceId: string,
): Promise<void> {
  const { verify, registry } = sources;
  if (verify !== undefined && ownsDevice(verify, req, deviceId)) return;
  if (isOperator(sources.operatorToken, req)) return;
  if (basicCredentials(req) !== null) throw deviceUnauthorized(deviceId);
  const who = registry === undefined ? null : await principalOf(registry, req);
  if (registry === undefined || who === null) throw notSignedIn(deviceId);
  if (who.account.operator && (await registry.devices.get(deviceId)) === null) return;
  await requireDevice(registry, who, deviceId, 'view');
}

function notSignedIn(deviceId: string): ApiError {
  const { message, headers } = deviceUnauthorized(deviceId);
  return new ApiError(401, 'not-signed-in', message, headers);
}
