import type { Credentials } from '@airbox/firmware-sim';
import type { DeviceStore } from '@airbox/registry';

/** The simulator's reference network logs in as this service account. */
export const SIM_REFERENCE_ACCOUNT = 'sim-reference';

/**
 * Fresh credentials for a simulated fleet: its boxes as devices and the reference network
 * as a service account (the broker takes reference readings only from service accounts).
 * Re-running rotates them, so secrets from an earlier run stop working. Given `indoor` (the
 * ids of the boxes the simulated world puts indoors), every box is registered where the
 * world places it, so the map and the surface treat the simulated boxes as real ones;
 * without it, registered boxes keep their placement.
 */
export async function simCredentials(
  devices: DeviceStore,
  ids: string[],
  indoor?: ReadonlySet<string>,
): Promise<Map<string, Credentials>> {
  const boxes = ids.filter((id) => id !== SIM_REFERENCE_ACCOUNT);
  const issued =
    indoor === undefined
      ? await devices.issueMany(boxes, 'device')
      : [
          ...(await devices.issueMany(
            boxes.filter((id) => indoor.has(id)),
            'device',
            { placement: 'indoor' },
          )),
          ...(await devices.issueMany(
            boxes.filter((id) => !indoor.has(id)),
            'device',
            { placement: 'outdoor' },
          )),
        ];
  if (ids.includes(SIM_REFERENCE_ACCOUNT)) {
    issued.push(...(await devices.issueMany([SIM_REFERENCE_ACCOUNT], 'service')));
  }
  return new Map(issued.map((c) => [c.deviceId, c]));
}

/** The ids of the boxes a fleet source places indoors (firmware-sim's SimBox.indoor). */
export function indoorBoxIds(boxes: readonly { deviceId: string; indoor: boolean }[]): Set<string> {
  return new Set(boxes.filter((b) => b.indoor).map((b) => b.deviceId));
}
