import { join, resolve } from 'node:path';
import { DeviceRegistry } from '@airbox/ingest';
import type { Credentials } from '@airbox/firmware-sim';

/** The device registry of a data dir, as 'airbox serve' and 'airbox device' open it. */
export function openRegistry(dataDir: string, now: () => number): DeviceRegistry {
  return new DeviceRegistry(join(resolve(dataDir), 'devices.db'), now);
}

/** The simulator's reference network logs in as this service account. */
export const SIM_REFERENCE_ACCOUNT = 'sim-reference';

/**
 * Fresh credentials for a simulated fleet: its boxes as devices and the reference network
 * as a service account (the broker takes reference readings only from service accounts).
 * Re-running rotates them, so secrets from an earlier run stop working.
 */
export function simCredentials(registry: DeviceRegistry, ids: string[]): Map<string, Credentials> {
  const boxes = ids.filter((id) => id !== SIM_REFERENCE_ACCOUNT);
  const issued = registry.issueMany(boxes, 'device');
  if (ids.includes(SIM_REFERENCE_ACCOUNT)) {
    issued.push(...registry.issueMany([SIM_REFERENCE_ACCOUNT], 'service'));
  }
  return new Map(issued.map((c) => [c.deviceId, c]));
}
