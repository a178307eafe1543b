import type { Aedes, Client } from 'aedes';
import type { Principal } from './acl.ts';
import { AnonymousIds, DEFAULT_ANONYMOUS_IDS_PER_MINUTE } from './anonymous-ids.ts';
import { anonymousIdsWithinBudget } from './checks/anonymous-budget.ts';
import { anonymousClaimsUnregistered } from './checks/anonymous-claims.ts';
import { anonymousClientId } from './checks/anonymous-client-id.ts';
import {
  anonymousConnectionsWithin,
  DEFAULT_MAX_ANONYMOUS_CONNECTIONS,
} from './checks/anonymous-connections.ts';
import { anonymousLass } from './checks/anonymous-lass.ts';
import type {
  AdmitCheck,
  ConnectCheck,
  PublishAttempt,
  PublishCheck,
  SubscribeCheck,
} from './checks/context.ts';
import { deviceClientId } from './checks/device-client-id.ts';
import { lassDeviceIdMatches } from './checks/lass-device-id.ts';
import { payloadWithinLimit } from './checks/payload-size.ts';
import { withinRateLimit } from './checks/rate-limit.ts';
import { noForgedReference } from './checks/reference-data.ts';
import { registeredCredentials } from './checks/registered-credentials.ts';
import { DEFAULT_MAX_RETAINED_BYTES, retainedWhereDesigned } from './checks/retained.ts';
import { notServerTopic } from './checks/server-topic.ts';
import { subscribeAllowed } from './checks/subscribe-acl.ts';
import { topicAllowed } from './checks/topic-acl.ts';
import { firstRefusal, type Verdict } from './checks/verdict.ts';
import { connectHook } from './connect-hook.ts';
import { watchCredentials } from './credential-watch.ts';
import { LiveClients } from './live-clients.ts';
import type { PublishBackpressure } from './backpressure.ts';
import { authorizePublish, type PublishStages } from './publish-pipeline.ts';
import { DeviceBuckets } from './rate-limit.ts';
import type { RegistryView } from '@airbox/registry';

export interface HookOptions extends Omit<PublishStages, 'checks' | 'counted'> {
  /** Every box, in memory, kept fresh from the registry (its poll sets how soon a revoke acts). */
  registry: RegistryView;
  allowAnonymousLass: boolean;
  maxPayloadBytes: number;
  ratePerS: number;
  rateBurst: number;
  /** Anonymous LASS clients connected at once (default 2,000). */
  maxAnonymousConnections?: number;
  /** New anonymous device_ids taken a minute (default 600). */
  anonymousIdsPerMinute?: number;
  /** Largest retained payload (default 4 KiB). */
  maxRetainedBytes?: number;
  /** Asked before each client PUBLISH is handled: holds it while ingest must wait. */
  backpressure?: Pick<PublishBackpressure, 'admit'>;
  now: () => number;
}

/** The state the checks keep, per device or per connection: each bounded, sized for /metrics. */
export interface HookState {
  readonly refusedTotal: number;
  /** Devices whose rate-limit bucket is kept. */
  readonly rateLimitedDevices: number;
  /** Anonymous device_ids heard from lately. */
  readonly anonymousDevices: number;
  readonly anonymousConnections: number;
  /** Stops the credential watch; the broker's close calls it. */
  stop(): void;
}

/** The per-device state the checks share. */
interface Shared {
  live: LiveClients;
  buckets: DeviceBuckets;
  anonymousIds: AnonymousIds;
}

/** Who the client is on CONNECT: the first check that answers wins. */
function identifyChecks(opts: HookOptions): readonly ConnectCheck[] {
  return [anonymousLass(opts.allowAnonymousLass), registeredCredentials(opts.registry)];
}

/** Whether that client may connect now: run in order, the first refusal wins. */
function admitChecks(opts: HookOptions, { live }: Shared): readonly AdmitCheck[] {
  const holderOf = (clientId: string) => live.holderOf(clientId);
  return [
    deviceClientId(opts.registry, holderOf),
    anonymousClientId(opts.registry, holderOf),
    anonymousConnectionsWithin(
      opts.maxAnonymousConnections ?? DEFAULT_MAX_ANONYMOUS_CONNECTIONS,
      () => live.anonymousCount,
    ),
  ];
}

/** Run in order on every client PUBLISH, after `authenticated`; the first refusal wins. */
function publishChecks(opts: HookOptions, shared: Shared): readonly PublishCheck[] {
  return [
    payloadWithinLimit(opts.maxPayloadBytes),
    topicAllowed,
    notServerTopic,
    retainedWhereDesigned(opts.registry, opts.maxRetainedBytes ?? DEFAULT_MAX_RETAINED_BYTES),
    lassDeviceIdMatches,
    anonymousClaimsUnregistered(opts.registry),
    noForgedReference,
    anonymousIdsWithinBudget(
      shared.anonymousIds,
      opts.anonymousIdsPerMinute ?? DEFAULT_ANONYMOUS_IDS_PER_MINUTE,
    ),
    withinRateLimit(shared.buckets, opts.ratePerS, opts.rateBurst),
  ];
}

const SUBSCRIBE_CHECKS: readonly SubscribeCheck[] = [subscribeAllowed];

/**
 * Sets Aedes' authenticate, authorizeSubscribe and authorizePublish, each built from its
 * list of checks, and starts the credential watch; returns the checks' state.
 */
export function installHooks(aedes: Aedes, opts: HookOptions): HookState {
  const principals = new WeakMap<Client, Principal>();
  const shared: Shared = {
    live: new LiveClients(),
    buckets: new DeviceBuckets(opts.ratePerS, opts.rateBurst),
    anonymousIds: new AnonymousIds(
      opts.anonymousIdsPerMinute ?? DEFAULT_ANONYMOUS_IDS_PER_MINUTE,
      opts.now(),
    ),
  };
  let refusedTotal = 0;
  aedes.authenticate = connectHook({
    identify: identifyChecks(opts),
    admit: admitChecks(opts, shared),
    principals,
    live: shared.live,
    log: opts.log,
  });
  aedes.authorizeSubscribe = subscribeHook(SUBSCRIBE_CHECKS, principals);
  aedes.authorizePublish = publishHook(
    { ...opts, checks: publishChecks(opts, shared), counted: () => refusedTotal++ },
    principals,
    opts,
  );
  const stop = watchCredentials(opts.registry, shared.live, opts.log);
  return {
    get refusedTotal() {
      return refusedTotal;
    },
    get rateLimitedDevices() {
      return shared.buckets.size;
    },
    get anonymousDevices() {
      return shared.anonymousIds.size;
    },
    get anonymousConnections() {
      return shared.live.anonymousCount;
    },
    stop,
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

/**
 * PUBLISH: a client's message goes through the publish pipeline (publish-pipeline.ts), once
 * backpressure lets it (backpressure.ts): until then Aedes reads nothing more from the client.
 */
function publishHook(
  stages: PublishStages,
  principals: WeakMap<Client, Principal>,
  { now, backpressure }: Pick<HookOptions, 'now' | 'backpressure'>,
): Aedes['authorizePublish'] {
  return (client, packet, done) => {
    if (client === null) return done(null); // the broker's own messages (wills, $SYS)
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const attempt: PublishAttempt = {
      client,
      who: principals.get(client),
      topic: packet.topic,
      payload,
      retain: packet.retain === true,
      receivedAtMs: now(),
    };
    // Aedes asks about the will, the very packet the client left, when it publishes it.
    const will = packet === (client as { will?: unknown }).will;
    const handle = () =>
      authorizePublish(stages, attempt, will).then(
        () => done(null),
        (e: unknown) => done(asError(e)),
      );
    const held = backpressure?.admit(payload.length) ?? null;
    if (held === null) void handle();
    else void held.then(handle);
  };
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
