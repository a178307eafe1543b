import type { Principal } from '../acl.ts';
import type { RegistryView } from '@airbox/registry';
import { ADMIT, connectRefusal, type AdmitCheck } from './context.ts';

/**
 * Our rule, under MQTT 3.1.1 §3.1.3.1 (the client id identifies the session; a new
 * connection with it closes the old one, [MQTT-3.1.4-2]): a box connects as its own device
 * id. Another id is refused with CONNACK 2, "identifier rejected" ([MQTT-3.1.3-9]), when it
 * is a registered device's (connecting as `boxB` would close box B and take its session),
 * when it asks for a kept session (clean=false: sessions are kept under a device's own id
 * only), or when another client holds it here now. What is left — a clean session under an
 * id nobody owns (`<id>-pub`, mosquitto_pub's random `mosq-…`) — has nothing to take.
 * Service accounts keep any client id.
 */
export function deviceClientId(
  registry: RegistryView,
  holderOf: (clientId: string) => Principal | null,
): AdmitCheck {
  return ({ clientId, clean, who }) => {
    if (who.role !== 'device' || clientId === who.deviceId) return ADMIT;
    const refuse = (why: string) =>
      connectRefusal(2, `client id ${clientId} rejected for ${who.deviceId}: ${why}`, {
        reason: why,
        deviceId: who.deviceId,
      });
    if (registry.has(clientId)) return refuse(`it is registered device ${clientId}'s`);
    if (!clean) return refuse('a kept session (clean=false) needs the device id as client id');
    const holder = holderOf(clientId);
    if (holder !== null && !(holder.role === 'device' && holder.deviceId === who.deviceId)) {
      return refuse('another client holds it');
    }
    return ADMIT;
  };
}
