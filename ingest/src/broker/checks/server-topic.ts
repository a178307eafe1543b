import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * MQTT 3.1.1 §4.7.2: topics beginning with `$` are the server's ($SYS/… for its own
 * statistics), and "the Server SHOULD prevent Clients from using such Topic Names to
 * exchange messages with other Clients" (beside [MQTT-4.7.2-1], which keeps them out of
 * wildcard subscriptions). Refused for every role, service accounts included; the topic
 * ACL already refuses them for boxes, so this speaks for services.
 */
export const notServerTopic: PublishCheck = ({ topic }) =>
  topic.startsWith('$')
    ? refusal('not-authorized', `topic ${topic} begins with $: it is the server's, not a client's`)
    : PASS;
