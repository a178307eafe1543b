import { nativeTopic, parseTopic } from '@airbox/protocol';
import type { Role } from '@airbox/registry';

/**
 * Who may publish and subscribe where. A device publishes only its own topics; on LASS
 * topics the device named inside the payload must be the authenticated one (checked by
 * the worker after decoding, since the topic alone does not always name it).
 */
export type Principal =
  | { role: Role; deviceId: string }
  /** Legacy LASS publishers without credentials, only with --allow-anonymous-lass. */
  | { role: 'anonymous-lass' };

const DEVICE_PUBLISH_KINDS = new Set(['reading', 'batch', 'status']);

export type AclVerdict = { ok: true } | { ok: false; reason: string };

const allow: AclVerdict = { ok: true };

export function authorizePublishTopic(who: Principal, topic: string): AclVerdict {
  if (who.role === 'service') return allow;
  const parsed = parseTopic(topic);
  if (parsed === null) return { ok: false, reason: `topic ${topic} is not one devices publish on` };
  if (who.role === 'anonymous-lass') {
    return parsed.family === 'lass'
      ? allow
      : { ok: false, reason: `anonymous clients may publish only on LASS topics, not ${topic}` };
  }
  if (parsed.family === 'native') {
    if (parsed.deviceId !== who.deviceId) {
      return {
        ok: false,
        reason: `device ${who.deviceId} may not publish on ${parsed.deviceId}'s topic ${topic}`,
      };
    }
    if (!DEVICE_PUBLISH_KINDS.has(parsed.kind)) {
      return {
        ok: false,
        reason: `devices may not publish ${parsed.kind} (${topic}): it is set by the server`,
      };
    }
    return allow;
  }
  if (parsed.deviceId !== undefined && parsed.deviceId !== who.deviceId) {
    return {
      ok: false,
      reason: `device ${who.deviceId} may not publish on ${parsed.deviceId}'s topic ${topic}`,
    };
  }
  return allow;
}

/** Devices read their own config; services read anything; anonymous clients nothing. */
export function authorizeSubscribeFilter(who: Principal, filter: string): boolean {
  if (who.role === 'service') return true;
  if (who.role === 'anonymous-lass') return false;
  return filter === nativeTopic(who.deviceId, 'config');
}
