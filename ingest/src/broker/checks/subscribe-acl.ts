import { authorizeSubscribeFilter } from '../acl.ts';
import type { SubscribeCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our ACL (acl.ts): a box subscribes only to its own config topic, services to anything,
 * anonymous and unauthenticated clients to nothing. A refused filter gets the SUBACK
 * failure return code 0x80 (MQTT 3.1.1 §3.9.3, [MQTT-3.9.3-2]); the connection stays open.
 */
export const subscribeAllowed: SubscribeCheck = ({ who, filter }) =>
  who !== undefined && authorizeSubscribeFilter(who, filter)
    ? PASS
    : refusal('not-authorized', `${filter} is not a filter this client may subscribe to`);
