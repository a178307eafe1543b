import type { FastifyRequest } from 'fastify';
import { isOperator, ownsDevice } from '../auth.ts';
import type { ResolvedApiOptions } from '../options.ts';
import { deviceAccess } from './permissions.ts';
import { principalOf } from './principal.ts';

/**
 * Who may follow a box's raw MQTT tail and read its dead letters — what it sent, refused
 * payloads and exact positions included: the box itself (its MQTT credentials as HTTP Basic,
 * or a service account's), the operator (the bearer token), and signed-in accounts that own
 * the box or belong to its organisation, or are operators.
 */
export async function mayReadBox(
  options: ResolvedApiOptions,
  req: FastifyRequest,
  deviceId: string,
): Promise<boolean> {
  const verify = options.verifyCredentials;
  if (verify !== undefined && ownsDevice(verify, req, deviceId)) return true;
  if (isOperator(options.operatorToken, req)) return true;
  const registry = options.accounts?.registry;
  if (registry === undefined) return false;
  const who = await principalOf(registry, req);
  if (who === null) return false;
  const device = await registry.devices.get(deviceId);
  if (device === null) return who.account.operator;
  return (await deviceAccess(registry, who, device)) !== null;
}
