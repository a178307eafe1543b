import type { RegistryView } from '@airbox/registry';
import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our rule: a registered box logs in, so a LASS line without credentials naming a
 * registered device — in its `device_id` or in its topic (`LASS/Test/PM25/<id>`) — is
 * somebody else writing as that box, and refused (--allow-anonymous-lass lets in legacy
 * boxes, not impostors). An anonymous LASS box assigned to an owner is registered without
 * a login (DeviceRecord.anonymousLass): its anonymous lines are still its own.
 */
export function anonymousClaimsUnregistered(registry: RegistryView): PublishCheck {
  return ({ who, parsed, lassDeviceId }) => {
    if (who.role !== 'anonymous-lass') return PASS;
    for (const claimed of [lassDeviceId, parsed?.deviceId]) {
      if (claimed !== undefined && registry.logsIn(claimed)) {
        return refusal(
          'not-authorized',
          `anonymous publishers may not write as registered device ${claimed}: it logs in with its own credentials`,
        );
      }
    }
    return PASS;
  };
}
