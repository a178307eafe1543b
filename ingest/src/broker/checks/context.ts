import type { ParsedTopic } from '@airbox/protocol';
import type { Client } from 'aedes';
import type { Principal } from '../acl.ts';
import type { Check } from './verdict.ts';

/** A PUBLISH as Aedes hands it to authorizePublish: who sent it may be unknown. */
export interface PublishAttempt {
  /** The connection; per-connection state (the rate limit's bucket) is kept by it. */
  client: Client;
  who: Principal | undefined;
  topic: string;
  payload: Buffer;
  receivedAtMs: number;
}

/** A PUBLISH from an authenticated client, as every publish check sees it. */
export interface PublishContext extends PublishAttempt {
  who: Principal;
  /** The topic parsed once for all the checks; null when it is neither native nor LASS. */
  parsed: ParsedTopic | null;
}

export type PublishCheck = Check<PublishContext>;

/** A SUBSCRIBE filter and who asks for it. */
export interface SubscribeContext {
  who: Principal | undefined;
  filter: string;
}

export type SubscribeCheck = Check<SubscribeContext>;

/** Does this topic carry readings (LASS, or a native reading or batch) rather than status? */
export function carriesReadings(parsed: ParsedTopic | null): boolean {
  return (
    parsed !== null &&
    (parsed.family === 'lass' || parsed.kind === 'reading' || parsed.kind === 'batch')
  );
}

/** A CONNECT's credentials (MQTT 3.1.1 §3.1.3.4, §3.1.3.5). */
export interface ConnectContext {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
}

/**
 * What a connect check answers: who the client is, a refusal with its CONNACK return code
 * (MQTT 3.1.1 §3.2.2.3, Table 3.1: 4 bad user name or password, 5 not authorized) and the
 * fields of its log line, or null when the check has nothing to say about these credentials.
 */
export type ConnectVerdict =
  | { ok: true; principal: Principal }
  | { ok: false; returnCode: 4 | 5; message: string; log: Record<string, unknown> }
  | null;

export type ConnectCheck = (ctx: ConnectContext) => ConnectVerdict;
