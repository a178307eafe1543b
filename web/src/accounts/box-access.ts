import type { FastifyRequest } from 'fastify';
import type { Registry } from '@airbox/registry';
import type { ResolvedApiOptions } from '../options.ts';
import { isOperator, ownsDevice, type CredentialCheck } from '../auth.ts';
import { deviceAccess, type DeviceAccess } from './permissions.ts';
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
