import { authorizePublishTopic } from '../acl.ts';
import type { PublishCheck } from './context.ts';
import { PASS, refusal } from './verdict.ts';

/**
 * Our ACL (acl.ts): a box publishes only its own native topics or LASS topics; anonymous
 * LASS boxes only LASS topics; service accounts anywhere (but see notServerTopic).
 */
export const topicAllowed: PublishCheck = ({ who, topic }) => {
  const acl = authorizePublishTopic(who, topic);
  return acl.ok ? PASS : refusal('not-authorized', acl.reason);
};
