import { isValidDeviceId } from '@airbox/protocol';
import {
  PLACEMENTS,
  RegistryError,
  VISIBILITIES,
  type CredentialRow,
  type DevicePatch,
  type DeviceRecord,
  type NewDevice,
  type Owner,
  type Placement,
  type Role,
  type Visibility,
} from './port.ts';
import { stampOf } from './secrets.ts';

/** The devices table's row, as both drivers return it. */
export interface DeviceRow {
  device_id: string;
  role: Role;
  salt: Buffer;
  secret_hash: Buffer;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  placement: Placement;
  owner_kind: Owner['kind'] | null;
  owner_id: string | null;
  name: string | null;
  lat: number | null;
  lon: number | null;
  visibility: Visibility;
  exact_position: number;
  anonymous_lass: number;
}

export const ROLES: readonly Role[] = ['device', 'service'];
export const MAX_NAME_CHARS = 100;

export function toRecord(r: DeviceRow): DeviceRecord {
  return {
    deviceId: r.device_id,
    role: r.role,
    placement: r.placement,
    visibility: r.visibility,
    exactPosition: Number(r.exact_position) === 1,
    name: r.name,
    lat: r.lat === null ? null : Number(r.lat),
    lon: r.lon === null ? null : Number(r.lon),
    owner:
      r.owner_kind === null || r.owner_id === null ? null : { kind: r.owner_kind, id: r.owner_id },
    anonymousLass: Number(r.anonymous_lass) === 1,
    createdAt: r.created_at,
    rotatedAt: r.rotated_at,
    revokedAt: r.revoked_at,
  };
}

export function toCredential(r: DeviceRow): CredentialRow {
  return {
    deviceId: r.device_id,
    role: r.role,
    salt: r.salt,
    hash: r.secret_hash,
    stamp: stampOf(r.secret_hash),
    revoked: r.revoked_at !== null,
  };
}

export function requireDeviceId(deviceId: string): void {
  if (!isValidDeviceId(deviceId)) {
    throw new RegistryError(
      'invalid-device-id',
      `device id '${deviceId}' is not valid: use 1–64 letters, digits, '_', '-', '.' or ':'`,
    );
  }
}

export function notFound(deviceId: string): RegistryError {
  return new RegistryError(
    'not-found',
    `device '${deviceId}' is not registered (add it with 'airbox device add ${deviceId}')`,
  );
}

/** The input of `add`, checked, with every default filled in. */
export function checkNewDevice(input: NewDevice): Required<NewDevice> {
  requireDeviceId(input.deviceId);
  const role = input.role ?? 'device';
  if (!ROLES.includes(role)) invalid('role', role, ROLES);
  const patch = checkPatch({
    placement: input.placement ?? 'outdoor',
    visibility: input.visibility ?? 'public',
    exactPosition: input.exactPosition ?? false,
    name: input.name ?? null,
    lat: input.lat ?? null,
    lon: input.lon ?? null,
  }) as Required<DevicePatch>;
  return {
    ...patch,
    deviceId: input.deviceId,
    role,
    owner: input.owner ?? null,
    anonymousLass: input.anonymousLass ?? false,
  };
}

/** A patch with each given field checked; names trimmed, '' read as no name. */
export function checkPatch(patch: DevicePatch): DevicePatch {
  const out: DevicePatch = { ...patch };
  if (patch.placement !== undefined && !PLACEMENTS.includes(patch.placement)) {
    invalid('placement', patch.placement, PLACEMENTS);
  }
  if (patch.visibility !== undefined && !VISIBILITIES.includes(patch.visibility)) {
    invalid('visibility', patch.visibility, VISIBILITIES);
  }
  if (patch.name !== undefined && patch.name !== null) {
    const name = patch.name.trim();
    if (name.length > MAX_NAME_CHARS) {
      throw new RegistryError(
        'invalid-input',
        `name is ${name.length} characters long: at most ${MAX_NAME_CHARS}`,
      );
    }
    out.name = name === '' ? null : name;
  }
  checkCoordinate('lat', patch.lat, 90);
  checkCoordinate('lon', patch.lon, 180);
  return out;
}

function checkCoordinate(field: string, value: number | null | undefined, limit: number): void {
  if (value === undefined || value === null) return;
  if (!Number.isFinite(value) || Math.abs(value) > limit) {
    throw new RegistryError(
      'invalid-input',
      `${field} ${value} is not a position: use −${limit}…${limit} degrees (WGS 84)`,
    );
  }
}

function invalid(field: string, value: unknown, allowed: readonly string[]): never {
  throw new RegistryError(
    'invalid-input',
    `${field} '${String(value)}' is not one of: ${allowed.join(', ')}`,
  );
}

/** The columns a patch field writes, and how its value is stored. */
export const PATCH_COLUMNS: {
  [K in keyof Required<DevicePatch>]: { column: string; store: (v: DevicePatch[K]) => unknown };
} = {
  name: { column: 'name', store: (v) => v ?? null },
  lat: { column: 'lat', store: (v) => v ?? null },
  lon: { column: 'lon', store: (v) => v ?? null },
  placement: { column: 'placement', store: (v) => v },
  visibility: { column: 'visibility', store: (v) => v },
  exactPosition: { column: 'exact_position', store: (v) => (v ? 1 : 0) },
};
