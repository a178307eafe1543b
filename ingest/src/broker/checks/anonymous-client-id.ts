import type { Principal } from '../acl.ts';
import type { RegistryView } from '@airbox/registry';
import { ADMIT, connectRefusal, type AdmitCheck } from './context.ts';

/**
 * Our rule, under MQTT 3.1.1 §3.1.3.1 and [MQTT-3.1.4-2] (a CONNECT with a client id in use
 * closes the connection using it): an anonymous LASS box may not use a registered device's
 * id (it would close that box's connection and take its session) nor an id a client holds
 * here now (an anonymous LASS box assigned to an owner keeps its own id). Refused with CONNACK 2, "identifier rejected" ([MQTT-3.1.3-9]); the client
 * holding it stays connected.
 */
export function anonymousClientId(
  registry: RegistryView,
  holderOf: (clientId: string) => Principal | null,
): AdmitCheck {
  return ({ clientId, who }) => {
    if (who.role !== 'anonymous-lass') return ADMIT;
    if (registry.logsIn(clientId)) {
      return connectRefusal(2, `client id ${clientId} is a registered device's`, {
        reason: 'registered device id',
      });
    }
    return holderOf(clientId) === null
      ? ADMIT
      : connectRefusal(2, `client id ${clientId} is in use`, { reason: 'client id in use' });
  };
}
