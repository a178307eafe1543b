import type { DevicePatch, Placement, Visibility } from '@airbox/registry';
import { UsageError } from '../io.ts';

/**
 * `airbox device`'s flags, checked against the action before the registry is opened: a flag
 * given where it means nothing is a usage error naming it, never silently ignored.
 */

export const DEVICE_ACTIONS = ['add', 'set', 'list', 'revoke', 'rotate', 'transfer'] as const;
export type DeviceAction = (typeof DEVICE_ACTIONS)[number];
const isAction = (s: string): s is DeviceAction =>
  (DEVICE_ACTIONS as readonly string[]).includes(s);

export interface DeviceFlags {
  service?: boolean;
  indoor?: boolean;
  outdoor?: boolean;
  private?: boolean;
  public?: boolean;
  'exact-position'?: boolean;
  owner?: string;
  'no-owner'?: boolean;
}

/** The actions each flag goes with. */
const FLAG_ACTIONS: Readonly<Record<keyof DeviceFlags, readonly DeviceAction[]>> = {
  service: ['add'],
  indoor: ['add', 'set'],
  outdoor: ['add', 'set'],
  private: ['add', 'set'],
  public: ['add', 'set'],
  'exact-position': ['add'],
  owner: ['add', 'transfer'],
  'no-owner': ['transfer'],
};

export const DEVICE_OPTIONS = {
  service: { type: 'boolean' },
  indoor: { type: 'boolean' },
  outdoor: { type: 'boolean' },
  private: { type: 'boolean' },
  public: { type: 'boolean' },
  'exact-position': { type: 'boolean' },
  owner: { type: 'string' },
  'no-owner': { type: 'boolean' },
} as const;

/** What one run does. `owner` is as typed (EMAIL or org:ID), looked up once the registry is open. */
export interface DevicePlan {
  action: DeviceAction;
  id: string;
  service: boolean;
  patch: DevicePatch;
  /** undefined: not asked; null: to nobody (`transfer --no-owner`). */
  owner: string | null | undefined;
}

export function devicePlan(positionals: string[], flags: DeviceFlags): DevicePlan {
  const [action, id] = positionals;
  if (action === undefined) throw new UsageError('name an action');
  if (!isAction(action)) throw new UsageError(`unknown action '${action}'`);
  if (action !== 'list' && id === undefined) {
    throw new UsageError(`'${action}' needs a device id`);
  }
  const given = (Object.keys(FLAG_ACTIONS) as (keyof DeviceFlags)[]).filter(
    (f) => flags[f] !== undefined,
  );
  for (const flag of given) {
    const actions = FLAG_ACTIONS[flag];
    if (!actions.includes(action)) {
      const list = actions.map((a) => `'${a}'`).join(' or ');
      throw new UsageError(`--${flag} goes with ${list}, not '${action}'`);
    }
  }
  const boxOnly = given.find((f) => f !== 'service');
  if (flags.service && boxOnly !== undefined) {
    throw new UsageError(
      `--${boxOnly} is for boxes; a --service account has no placement, visibility or owner`,
    );
  }
  const patch = patchOf(flags);
  if (action === 'set' && Object.keys(patch).length === 0) {
    throw new UsageError("'set' needs --indoor, --outdoor, --private or --public");
  }
  return {
    action,
    id: id ?? '',
    service: flags.service === true,
    patch,
    owner: ownerOf(action, flags),
  };
}

function patchOf(flags: DeviceFlags): DevicePatch {
  const placement = oneOf<Placement>(flags, 'indoor', 'outdoor');
  const visibility = oneOf<Visibility>(flags, 'private', 'public');
  return {
    ...(placement === undefined ? {} : { placement }),
    ...(visibility === undefined ? {} : { visibility }),
    ...(flags['exact-position'] ? { exactPosition: true } : {}),
  };
}

/** The one of two opposite flags given, or undefined; a usage error for both. */
function oneOf<T extends string>(
  flags: DeviceFlags,
  a: T & keyof DeviceFlags,
  b: T & keyof DeviceFlags,
) {
  if (flags[a] && flags[b]) throw new UsageError(`give --${a} or --${b}, not both`);
  return flags[a] ? a : flags[b] ? b : undefined;
}

function ownerOf(action: DeviceAction, flags: DeviceFlags): string | null | undefined {
  if (flags.owner !== undefined && flags['no-owner']) {
    throw new UsageError('give --owner or --no-owner, not both');
  }
  if (action === 'transfer' && flags.owner === undefined && !flags['no-owner']) {
    throw new UsageError("'transfer' needs --owner EMAIL, --owner org:ID or --no-owner");
  }
  return flags['no-owner'] ? null : flags.owner;
}
