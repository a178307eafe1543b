import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * The LASS rule: a LASS line names its box in `device_id`, and most LASS topics do not, so
 * a logged-in box may publish only lines naming itself. Service accounts (relays) speak for
 * the device_id they send; anonymous LASS boxes too, but never for a registered one
 * (anonymous-claims.ts).
 */
export const lassDeviceIdMatches: PublishCheck = ({ who, parsed, lassDeviceId }) => {
  if (who.role !== 'device' || parsed?.family !== 'lass') return PASS;
  return lassDeviceId === undefined || lassDeviceId === who.deviceId
    ? PASS
    : refusal(
        'device-mismatch',
        `device ${who.deviceId} may not publish LASS data for device_id=${lassDeviceId}`,
      );
};
