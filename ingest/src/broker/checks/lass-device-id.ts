import { splitLass } from '@airbox/protocol';
import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * The LASS rule: a LASS line names its box in `device_id`, and most LASS topics do not, so
 * a logged-in box may publish only lines naming itself. Anonymous LASS boxes and service
 * accounts (relays) speak for the device_id they send.
 */
export const lassDeviceIdMatches: PublishCheck = ({ who, parsed, payload }) => {
  if (who.role !== 'device' || parsed?.family !== 'lass') return PASS;
  const claimed = splitLass(payload.toString('latin1'))?.get('device_id');
  return claimed === undefined || claimed === who.deviceId
    ? PASS
    : refusal(
        'device-mismatch',
        `device ${who.deviceId} may not publish LASS data for device_id=${claimed}`,
      );
};
