import type { Aedes, AuthenticateError, Client } from 'aedes';
import type { Principal } from './acl.ts';
import { anonymousLass } from './checks/anonymous-lass.ts';
import type {
  ConnectCheck,
  ConnectContext,
  ConnectVerdict,
  PublishAttempt,
  PublishCheck,
  SubscribeCheck,
} from './checks/context.ts';
import { lassDeviceIdMatches } from './checks/lass-device-id.ts';
import { payloadWithinLimit } from './checks/payload-size.ts';
import { withinRateLimit } from './checks/rate-limit.ts';
import { noForgedReference } from './checks/reference-data.ts';
import { registeredCredentials } from './checks/registered-credentials.ts';
import { notServerTopic } from './checks/server-topic.ts';
import { subscribeAllowed } from './checks/subscribe-acl.ts';
import { topicAllowed } from './checks/topic-acl.ts';
import { firstRefusal, type Verdict } from './checks/verdict.ts';
import { authorizePublish, type PublishStages } from './publish-pipeline.ts';
import type { DeviceRegistry } from '../registry.ts';

export interface HookOptions extends Omit<PublishStages, 'checks' | 'counted'> {
  registry: DeviceRegistry;
  allowAnonymousLass: boolean;
  maxPayloadBytes: number;
  ratePerS: number;
  rateBurst: number;
  now: () => number;
}

/** Decides who the client is on CONNECT, first check that answers wins. */
function connectChecks(opts: HookOptions): readonly ConnectCheck[] {
  return [anonymousLass(opts.allowAnonymousLass), registeredCredentials(opts.registry)];
}

/** Run in order on every client PUBLISH, after `authenticated`; the first refusal wins. */
function publishChecks(opts: HookOptions): readonly PublishCheck[] {
  return [
    payloadWithinLimit(opts.maxPayloadBytes),
    topicAllowed,
    notServerTopic,
    lassDeviceIdMatches,
    noForgedReference,
    withinRateLimit(opts.ratePerS, opts.rateBurst),
  ];
}

const SUBSCRIBE_CHECKS: readonly SubscribeCheck[] = [subscribeAllowed];

/**
 * Sets Aedes' authenticate, authorizeSubscribe and authorizePublish, each built from its
 * list of checks; returns the count of refused PUBLISHes.
 */
export function installHooks(aedes: Aedes, opts: HookOptions): { readonly refusedTotal: number } {
  const principals = new WeakMap<Client, Principal>();
  const counter = { refusedTotal: 0 };
  aedes.authenticate = authenticateHook(connectChecks(opts), principals, opts.log);
  aedes.authorizeSubscribe = subscribeHook(SUBSCRIBE_CHECKS, principals);
  aedes.authorizePublish = publishHook(
    { ...opts, checks: publishChecks(opts), counted: () => counter.refusedTotal++ },
    principals,
    opts.now,
  );
  return counter;
}

/**
 * CONNECT: the first connect check that answers decides; a refusal is logged and answered
 * with its CONNACK return code (MQTT 3.1.1 §3.2.2.3), and Aedes closes the connection.
 */
function authenticateHook(
  checks: readonly ConnectCheck[],
  principals: WeakMap<Client, Principal>,
  log: HookOptions['log'],
): Aedes['authenticate'] {
  return (client, username, password, done) => {
    const verdict = firstAnswer(checks, { clientId: client.id, username, password });
    if (verdict.ok) {
      principals.set(client, verdict.principal);
      return done(null, true);
    }
    log('auth-refused', { clientId: client.id, ...verdict.log });
    done(authError(verdict.message, verdict.returnCode), false);
  };
}

/** SUBSCRIBE: a filter any check refuses gets the SUBACK failure code (0x80). */
function subscribeHook(
  checks: readonly SubscribeCheck[],
  principals: WeakMap<Client, Principal>,
): Aedes['authorizeSubscribe'] {
  return (client, sub, done) => {
    const settle = (verdict: Verdict) => done(null, verdict.ok ? sub : null);
    const verdict = firstRefusal(checks, { who: principals.get(client), filter: sub.topic });
    if (verdict instanceof Promise) verdict.then(settle, (e: unknown) => done(asError(e)));
    else settle(verdict);
  };
}

/** PUBLISH: a client's message goes through the publish pipeline (publish-pipeline.ts). */
function publishHook(
  stages: PublishStages,
  principals: WeakMap<Client, Principal>,
  now: () => number,
): Aedes['authorizePublish'] {
  return (client, packet, done) => {
    if (client === null) return done(null); // the broker's own messages (wills, $SYS)
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const attempt: PublishAttempt = {
      client,
      who: principals.get(client),
      topic: packet.topic,
      payload,
      receivedAtMs: now(),
    };
    // Aedes asks about the will, the very packet the client left, when it publishes it.
    const will = packet === (client as { will?: unknown }).will;
    authorizePublish(stages, attempt, will).then(
      () => done(null),
      (e: unknown) => done(asError(e)),
    );
  };
}

/** The first connect check with something to say; none is a refusal (return code 5). */
function firstAnswer(
  checks: readonly ConnectCheck[],
  ctx: ConnectContext,
): Exclude<ConnectVerdict, null> {
  for (const check of checks) {
    const verdict = check(ctx);
    if (verdict !== null) return verdict;
  }
  return { ok: false, returnCode: 5, message: `${ctx.clientId} is not authorized`, log: {} };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function authError(message: string, returnCode: 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}
