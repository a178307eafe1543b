import type { DeviceRegistry } from '../../registry.ts';
import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: a registered box logs in, so a LASS line without credentials naming a
 * registered device — in its `device_id` or in its topic (`LASS/Test/PM25/<id>`) — is
 * somebody else writing as that box, and refused (--allow-anonymous-lass lets in legacy
 * boxes, not impostors).
 */
export function anonymousClaimsUnregistered(registry: DeviceRegistry): PublishCheck {
  return ({ who, parsed, lassDeviceId }) => {
    if (who.role !== 'anonymous-lass') return PASS;
    for (const claimed of [lassDeviceId, parsed?.deviceId]) {
      if (claimed !== undefined && registry.has(claimed)) {
        return refusal(
          'not-authorized',
          `anonymous publishers may not write as registered device ${claimed}: it logs in with its own credentials`,
        );
      }
    }
    return PASS;
  };
}
