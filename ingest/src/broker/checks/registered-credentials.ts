import type { DeviceRegistry } from '../../registry.ts';
import type { ConnectCheck } from './context.ts';

/**
 * Our rule: a user name is a registered device or service account and the password its
 * secret; anything else is refused with CONNACK return code 4, "bad user name or password"
 * (MQTT 3.1.1 §3.1.4, §3.2.2.3), and the connection closed ([MQTT-3.2.2-5]).
 */
export function registeredCredentials(registry: DeviceRegistry): ConnectCheck {
  return ({ username, password }) => {
    if (username === undefined) return null;
    const role = registry.verify(username, password ?? Buffer.alloc(0));
    return role === null
      ? {
          ok: false,
          returnCode: 4,
          message: `bad username or password for ${username}`,
          log: { username },
        }
      : { ok: true, principal: { role, deviceId: username } };
  };
}
