import type { RegistryView } from '@airbox/registry';
import type { ConnectCheck } from './context.ts';

/**
 * Our rule: a user name is a registered device or service account and the password its
 * secret; anything else is refused with CONNACK return code 4, "bad user name or password"
 * (MQTT 3.1.1 §3.1.4, §3.2.2.3), and the connection closed ([MQTT-3.2.2-5]). The log line
 * names the user name only by its start and length: with -u and -P swapped it is a secret.
 */
export function registeredCredentials(registry: RegistryView): ConnectCheck {
  return ({ username, password }) => {
    if (username === undefined) return null;
    const verified = registry.verify(username, password ?? Buffer.alloc(0));
    return verified === null
      ? {
          ok: false,
          returnCode: 4,
          message: `bad username or password for ${usernameHint(username)}`,
          log: { username: usernameHint(username), usernameLength: username.length },
        }
      : { ok: true, principal: { role: verified.role, deviceId: username }, stamp: verified.stamp };
  };
}

/** The first 3 characters of a user name that failed to log in, then an ellipsis. */
export function usernameHint(username: string): string {
  return `${[...username].slice(0, 3).join('')}…`;
}
