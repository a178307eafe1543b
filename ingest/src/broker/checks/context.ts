import { createHash } from 'node:crypto';
import type { ParsedTopic } from '@airbox/protocol';
import type { Client } from 'aedes';
import type { Principal } from '../acl.ts';
import type { Check } from './verdict.ts';

/** A PUBLISH as Aedes hands it to authorizePublish: who sent it may be unknown. */
export interface PublishAttempt {
  /** The connection it came on. */
  client: Client;
  who: Principal | undefined;
  topic: string;
  payload: Buffer;
  /** The RETAIN flag (MQTT 3.1.1 §3.3.1.3): the broker keeps it for every later subscriber. */
  retain: boolean;
  receivedAtMs: number;
}

/** A PUBLISH from an authenticated client, as every publish check sees it. */
export interface PublishContext extends PublishAttempt {
  who: Principal;
  /** The topic parsed once for all the checks; null when it is neither native nor LASS. */
  parsed: ParsedTopic | null;
  /** The `device_id` a LASS line names, read once for all the checks; else undefined. */
  lassDeviceId: string | undefined;
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

/**
 * The device a PUBLISH speaks for, which its per-device state (rate limit) is kept under: a
 * logged-in client's own id; an anonymous LASS box's the device_id it claims (in the line,
 * else in the topic), else its client id.
 */
export function publisherKey({ who, lassDeviceId, parsed, client }: PublishContext): string {
  if (who.role !== 'anonymous-lass') return who.deviceId;
  return boundedKey(lassDeviceId ?? parsed?.deviceId ?? client.id);
}

/**
 * A claimed id as a key of per-device state: as it is up to a device id's 64 characters,
 * else a digest of it (an anonymous payload may claim 64 KB), after `#`, which no device id
 * holds, so it cannot meet a real one.
 */
function boundedKey(claimed: string): string {
  if (claimed.length <= 64) return claimed;
  return `#${createHash('sha256').update(claimed).digest('base64url').slice(0, 22)}`;
}

/** A CONNECT's credentials (MQTT 3.1.1 §3.1.3.4, §3.1.3.5). */
export interface ConnectContext {
  clientId: string;
  username: string | undefined;
  password: Buffer | undefined;
}

/**
 * The CONNACK return codes a refusal may carry (MQTT 3.1.1 §3.2.2.3, Table 3.1): 2 identifier
 * rejected, 3 server unavailable, 4 bad user name or password, 5 not authorized.
 */
export type ConnackRefusal = 2 | 3 | 4 | 5;

/** A refused CONNECT: its return code, and the fields of its log line. */
export interface ConnectRefusal {
  ok: false;
  returnCode: ConnackRefusal;
  message: string;
  log: Record<string, unknown>;
}

/**
 * What a connect check answers: who the client is (and, for a login, the stamp of the
 * secret it used), a refusal, or null when the check has nothing to say about these
 * credentials.
 */
export type ConnectVerdict =
  { ok: true; principal: Principal; stamp?: string } | ConnectRefusal | null;

export type ConnectCheck = (ctx: ConnectContext) => ConnectVerdict;

/** A CONNECT whose client is identified, as every admission check sees it. */
export interface AdmitContext {
  clientId: string;
  /** CleanSession (MQTT 3.1.1 §3.1.2.4): false asks for the session kept under this id. */
  clean: boolean;
  who: Principal;
}

/** Let the next admission check look, or refuse the CONNECT. */
export type AdmitCheck = (ctx: AdmitContext) => { ok: true } | ConnectRefusal;

/** An admission check's "let it in". */
export const ADMIT = { ok: true } as const;

/** A refused CONNECT; `log` holds what the log line adds to the client id. */
export function connectRefusal(
  returnCode: ConnackRefusal,
  message: string,
  log: Record<string, unknown> = {},
): ConnectRefusal {
  return { ok: false, returnCode, message, log };
}
