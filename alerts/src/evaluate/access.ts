import type { DeviceRecord, Owner, Registry } from '@airbox/registry';

/** What deciding who may watch what needs from the registry. */
export type AccessRegistry = Pick<Registry, 'accounts' | 'orgs'>;

/**
 * Whether a subscriber may be told about a box: a public box anyone may watch; a private one
 * only its owner, a member of its owning organisation, or an operator. Asked when a
 * subscription is made and again whenever the evaluator reloads, so a box that turns private
 * or moves to another owner stops alerting those who may no longer see it.
 */
export async function mayWatchBox(
  registry: AccessRegistry,
  subscriber: Owner,
  box: DeviceRecord,
): Promise<boolean> {
  if (box.visibility === 'public') return true;
  if (box.owner === null) return isOperator(registry, subscriber);
  if (box.owner.kind === subscriber.kind && box.owner.id === subscriber.id) return true;
  return box.owner.kind === 'org' && mayWatchOrg(registry, subscriber, box.owner.id);
}

/** An organisation's boxes: the organisation itself, its members, or an operator. */
export async function mayWatchOrg(
  registry: AccessRegistry,
  subscriber: Owner,
  orgId: string,
): Promise<boolean> {
  if (subscriber.kind === 'org') return subscriber.id === orgId;
  if ((await registry.orgs.roleOf(orgId, subscriber.id)) !== null) return true;
  return isOperator(registry, subscriber);
}

async function isOperator(registry: AccessRegistry, subscriber: Owner): Promise<boolean> {
  if (subscriber.kind !== 'account') return false;
  return (await registry.accounts.get(subscriber.id))?.operator === true;
}
