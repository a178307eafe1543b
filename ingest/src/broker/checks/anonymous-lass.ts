import type { ConnectCheck } from './context.ts';

/**
 * Our rule: a CONNECT without a user name (MQTT 3.1.1 §3.1.2.8 makes it optional) is a
 * legacy LASS box, let in only with --allow-anonymous-lass; otherwise refused with CONNACK
 * return code 4 and the connection closed (§3.1.4, [MQTT-3.2.2-5]).
 */
export function anonymousLass(allowed: boolean): ConnectCheck {
  return ({ username }) => {
    if (username !== undefined && username !== '') return null;
    return allowed
      ? { ok: true, principal: { role: 'anonymous-lass' } }
      : {
          ok: false,
          returnCode: 4,
          message: 'credentials required',
          log: { reason: 'no username' },
        };
  };
}
