import type { DeviceRecord, OrgRole, Registry } from '@airbox/registry';
import { ApiError, quoteInput } from '../errors.ts';
import type { Principal } from './principal.ts';

/**
 * Who may do what with a box and an organisation, decided here only. A box's manager (its
 * owning account; an organisation's owner, admin or member; an operator) changes it, rotates
 * and revokes it, reads its raw tail and dead letters; an organisation's viewer sees it.
 * Admins and owners manage the organisation's members and give its boxes away.
 */
export type DeviceAccess = 'manage' | 'view';

const MANAGES: ReadonlySet<OrgRole> = new Set(['owner', 'admin', 'member']);
const ADMINISTERS: ReadonlySet<OrgRole> = new Set(['owner', 'admin']);

export async function deviceAccess(
  registry: Registry,
  who: Principal,
  device: DeviceRecord,
): Promise<DeviceAccess | null> {
  if (who.account.operator) return 'manage';
  const { owner } = device;
  if (owner === null) return null;
  if (owner.kind === 'account') return owner.id === who.account.id ? 'manage' : null;
  const role = await registry.orgs.roleOf(owner.id, who.account.id);
  if (role === null) return null;
  return MANAGES.has(role) ? 'manage' : 'view';
}

/**
 * The box, if the account may `need` it. A box the account may not see answers as unknown
 * when it is private (its existence is not told), forbidden when anyone can see it anyway.
 */
export async function requireDevice(
  registry: Registry,
  who: Principal,
  deviceId: string,
  need: DeviceAccess,
): Promise<DeviceRecord> {
  const device = await registry.devices.get(deviceId);
  const access = device && (await deviceAccess(registry, who, device));
  if (device !== null && (access === 'manage' || access === need)) return device;
  if (device === null || (access === null && device.visibility === 'private')) {
    throw new ApiError(404, 'unknown-device', `no box ${quoteInput(deviceId)} among yours`);
  }
  throw new ApiError(403, 'forbidden', `box ${quoteInput(deviceId)} is not yours to ${need}`);
}

/** The account's role in the organisation, if it is at least `need` (an operator is). */
export async function requireOrgRole(
  registry: Registry,
  who: Principal,
  orgId: string,
  need: 'admin' | 'member' | 'viewer',
): Promise<void> {
  if (who.account.operator && (await registry.orgs.get(orgId)) !== null) return;
  const role = await registry.orgs.roleOf(orgId, who.account.id);
  if (role === null) {
    throw new ApiError(404, 'not-found', `no organisation ${quoteInput(orgId)} among yours`);
  }
  const allowed = need === 'admin' ? ADMINISTERS : need === 'member' ? MANAGES : null;
  if (allowed !== null && !allowed.has(role)) {
    throw new ApiError(403, 'forbidden', `a ${role} of this organisation may not do this`);
  }
}
