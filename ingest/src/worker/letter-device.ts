import { isValidDeviceId, parseTopic, splitLass } from '@airbox/protocol';

/**
 * The box a dead letter of an accepted message belongs to (DeadLetter.deviceId): the device
 * its topic names, else the LASS `device_id` of its payload, else none (operators only). The
 * broker lets a logged-in box publish only on its own topics and only LASS lines naming
 * itself (broker/acl.ts, broker/checks/lass-device-id.ts, which read the whole payload as
 * this does), so for a box this is its login; for a service account or an anonymous LASS
 * box it is the device it speaks for.
 */
export function letterDevice(topic: string, payload: Uint8Array): string | null {
  const parsed = parseTopic(topic);
  const named =
    parsed?.deviceId ??
    (parsed?.family === 'lass'
      ? splitLass(Buffer.from(payload).toString('latin1'))?.get('device_id')
      : undefined);
  return named !== undefined && isValidDeviceId(named) ? named : null;
}
