import {
  CodedError,
  RAW_TEXT_MAX_BYTES,
  type Outcome,
  type RawMessage,
  type ReadingSink,
  type RefusalCode,
} from '@airbox/contracts';
import { mkdirSync } from 'node:fs';
import { Aedes, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import levelPersistence from 'aedes-persistence-level';
import redisPersistence from 'aedes-persistence-redis';
import type { Redis } from 'ioredis';
import { Level } from 'level';
import mqemitterRedis from 'mqemitter-redis';
import { decodeMessage, parseTopic, splitLass } from '@airbox/protocol';
import type { DeadLetter } from '@airbox/store';
import type { DeviceRegistry } from '../registry.ts';
import type { TappedMessage } from './raw-bus.ts';
import { authorizePublishTopic, authorizeSubscribeFilter, type Principal } from './acl.ts';
import { listen, type BoundPorts, type ListenOptions } from './listeners.ts';
import { TokenBucket } from './rate-limit.ts';

export interface BrokerOptions extends ListenOptions {
  registry: DeviceRegistry;
  /**
   * Where accepted reading messages go before the PUBLISH is acknowledged: the embedded
   * worker (stored), or the Redis stream (queued for the workers); null leaves them to MQTT
   * subscribers (`airbox worker --broker`).
   */
  sink: ReadingSink | null;
  /**
   * Scaled out: sessions, retained messages and queued QoS 1 messages in Redis, and messages
   * between brokers through it, so several brokers act as one. Overrides `persistenceDir`.
   */
  redis?: Redis | null;
  /** Where refused messages go when there is no embedded worker to take them. */
  deadLetters: (letter: DeadLetter) => Promise<void>;
  /** Directory for persistent sessions and queued QoS 1 messages; null keeps them in memory. */
  persistenceDir: string | null;
  allowAnonymousLass: boolean;
  maxPayloadBytes: number;
  /**
   * Sees every PUBLISH from a client with what became of it (the maker page's raw tail,
   * a RawBus); must not block or throw.
   */
  rawTap?: (message: TappedMessage) => void;
  ratePerS: number;
  rateBurst: number;
  now?: () => number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export interface RunningBroker {
  aedes: Aedes;
  /** PUBLISHes refused here (each kept as a dead letter), for /metrics. */
  readonly refusedTotal: number;
  ports: BoundPorts;
  close(): Promise<void>;
}

/** A refused PUBLISH: Aedes closes the connection (MQTT 3.1.1 §3.3.5 leaves no other signal). */
class Refused extends CodedError<RefusalCode> {}

/** Bytes of a refused oversized payload kept in its dead letter. */
const DEAD_LETTER_KEEP_BYTES = 4096;

export async function startBroker(opts: BrokerOptions): Promise<RunningBroker> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  let db: Level | null = null;
  let persistence: unknown;
  let mq: unknown;
  if (opts.redis) {
    // Their own connections (a subscriber connection cannot run commands), without our
    // stream append's fail-fast and pipelining: these wait for Redis as their authors expect.
    const own = () =>
      opts.redis!.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null });
    persistence = redisPersistence({ conn: own() });
    mq = mqemitterRedis({ pubConn: own(), subConn: own() });
  } else if (opts.persistenceDir !== null) {
    mkdirSync(opts.persistenceDir, { recursive: true });
    db = new Level(opts.persistenceDir);
    persistence = levelPersistence(db);
  }
  const aedes = await Aedes.createBroker({
    persistence,
    mq,
    drainTimeout: 30_000,
  });
  const principals = new WeakMap<Client, Principal>();
  let refusedTotal = 0;
  const buckets = new WeakMap<Client, TokenBucket>();

  aedes.authenticate = (client, username, password, done) => {
    if (username === undefined || username === '') {
      if (opts.allowAnonymousLass) {
        principals.set(client, { role: 'anonymous-lass' });
        return done(null, true);
      }
      log('auth-refused', { clientId: client.id, reason: 'no username' });
      return done(authError('credentials required', 4), false);
    }
    const role = opts.registry.verify(username, password ?? Buffer.alloc(0));
    if (role === null) {
      log('auth-refused', { clientId: client.id, username });
      return done(authError(`bad username or password for ${username}`, 4), false);
    }
    principals.set(client, { role, deviceId: username });
    done(null, true);
  };

  aedes.authorizeSubscribe = (client, sub, done) => {
    const who = principals.get(client);
    done(null, who !== undefined && authorizeSubscribeFilter(who, sub.topic) ? sub : null);
  };

  aedes.authorizePublish = (client, packet, done) => {
    if (client === null) return done(null); // the broker's own messages (wills, $SYS)
    authorize(client, packet).then(
      () => done(null),
      (e: unknown) => done(e instanceof Error ? e : new Error(String(e))),
    );
  };

  async function authorize(client: Client, packet: PublishPacket): Promise<void> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const receivedAtMs = now();
    const who = principals.get(client);
    const tap = (result: TapOutcome) => {
      if (opts.rawTap === undefined) return;
      const message = rawMessage(who, client.id, packet.topic, payload, receivedAtMs, result);
      // Aedes asks about the will, the very packet the client left, when it publishes it.
      if (packet === (client as { will?: unknown }).will) message.will = true;
      opts.rawTap(message);
    };
    const refuse = async (code: RefusalCode, reason: string, keep = payload) => {
      refusedTotal++;
      await opts.deadLetters(letter(packet.topic, keep, client.id, receivedAtMs, code, reason));
      log('publish-refused', { clientId: client.id, topic: packet.topic, code, reason });
      tap({ outcome: 'refused', code, reason });
      throw new Refused(code, reason);
    };
    if (who === undefined) return refuse('not-authorized', 'publisher is not authenticated');
    if (payload.length > opts.maxPayloadBytes) {
      return refuse(
        'payload-too-large',
        `payload is ${payload.length} bytes; the limit is ${opts.maxPayloadBytes} (first ${DEAD_LETTER_KEEP_BYTES} bytes kept)`,
        payload.subarray(0, DEAD_LETTER_KEEP_BYTES),
      );
    }
    const acl = authorizePublishTopic(who, packet.topic);
    if (!acl.ok) return refuse('not-authorized', acl.reason);
    const parsed = parseTopic(packet.topic);
    if (who.role === 'device' && parsed?.family === 'lass') {
      const claimed = splitLass(payload.toString('latin1'))?.get('device_id');
      if (claimed !== undefined && claimed !== who.deviceId) {
        return refuse(
          'device-mismatch',
          `device ${who.deviceId} may not publish LASS data for device_id=${claimed}`,
        );
      }
    }
    const carriesReadings =
      parsed !== null &&
      (parsed.family === 'lass' || parsed.kind === 'reading' || parsed.kind === 'batch');
    if (
      who.role !== 'service' &&
      carriesReadings &&
      claimsReference(packet.topic, payload, receivedAtMs)
    ) {
      return refuse(
        'not-authorized',
        `${client.id} may not publish reference-station readings: only service accounts may`,
      );
    }
    // Service accounts (the reference feed, relays) speak for many stations at once.
    if (who.role !== 'service' && !takeToken(client, receivedAtMs)) {
      return refuse(
        'rate-limited',
        `more than ${opts.ratePerS} messages/s (burst ${opts.rateBurst}) from ${client.id}`,
      );
    }
    if (opts.sink === null || !carriesReadings) return tap({ outcome: 'accepted' });
    // Stored or queued (or dead-lettered) before Aedes sends the PUBACK; a failure rejects,
    // the connection closes unacknowledged and the device sends it again.
    let handled: Outcome | void;
    try {
      handled = await opts.sink.handle({
        topic: packet.topic,
        payload,
        clientId: client.id,
        receivedAtMs,
        partitionKey: who.role === 'device' ? who.deviceId : client.id,
      });
    } catch (e) {
      tap({ outcome: 'unacknowledged', reason: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    tap(sinkOutcome(handled));
  }

  function takeToken(client: Client, nowMs: number): boolean {
    let bucket = buckets.get(client);
    if (bucket === undefined) {
      bucket = new TokenBucket(opts.ratePerS, opts.rateBurst, nowMs);
      buckets.set(client, bucket);
    }
    return bucket.take(nowMs);
  }

  const listeners = await listen(aedes, opts);
  return {
    aedes,
    get refusedTotal() {
      return refusedTotal;
    },
    ports: listeners.ports,
    async close() {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await listeners.close();
      // Flushes and releases the store; TOOLING: without it tests hang.
      await (
        aedes as unknown as { persistence: { destroy(): Promise<void> } }
      ).persistence.destroy();
      await db?.close();
    },
  };
}

/**
 * Does this payload carry a reference-station reading (native `"kind":"reference"`, LASS
 * `app=EPA_COPY`)? Reference readings are what calibration trusts, so only service accounts
 * may publish them. A substring test first keeps the full decode off the common path.
 */
function claimsReference(topic: string, payload: Buffer, nowMs: number): boolean {
  const text = payload.toString('latin1');
  if (!text.includes('reference') && !text.includes('EPA_COPY')) return false;
  const decoded = decodeMessage(topic, payload, { nowMs });
  return decoded.ok && decoded.readings.some((r) => r.kind === 'reference');
}

/** What became of a PUBLISH, as a raw tail shows it. */
type TapOutcome = Pick<RawMessage, 'outcome' | 'code' | 'reason' | 'readings' | 'duplicates'>;

/** The sink's answer: the embedded worker's Outcome, or nothing from the Redis stream. */
function sinkOutcome(handled: Outcome | void): TapOutcome {
  if (handled === undefined) return { outcome: 'queued' };
  if (handled.status === 'stored') {
    return { outcome: 'stored', readings: handled.readings, duplicates: handled.duplicates };
  }
  return { outcome: 'dead-letter', code: handled.code, reason: handled.reason };
}

function rawMessage(
  who: Principal | undefined,
  clientId: string,
  topic: string,
  payload: Buffer,
  receivedAtMs: number,
  result: TapOutcome,
): TappedMessage {
  const shown = Math.min(payload.length, RAW_TEXT_MAX_BYTES);
  return {
    deviceId: concernedDevice(who, clientId, topic, payload),
    topic,
    clientId,
    receivedAtMs,
    bytes: payload.length,
    text: payload.toString('utf8', 0, shown),
    truncated: shown < payload.length,
    ...result,
  };
}

/**
 * Whose tail a message belongs in: a device's own login; otherwise (service accounts,
 * anonymous LASS boxes) the device its topic or its LASS `device_id` names, else the client.
 */
function concernedDevice(
  who: Principal | undefined,
  clientId: string,
  topic: string,
  payload: Buffer,
): string {
  if (who?.role === 'device') return who.deviceId;
  const parsed = parseTopic(topic);
  if (parsed?.deviceId !== undefined) return parsed.deviceId;
  if (parsed?.family === 'lass') {
    const named = splitLass(payload.toString('latin1', 0, RAW_TEXT_MAX_BYTES))?.get('device_id');
    if (named !== undefined && named !== '') return named;
  }
  return clientId;
}

function authError(message: string, returnCode: 4 | 5): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

function letter(
  topic: string,
  payload: Buffer,
  clientId: string,
  receivedAtMs: number,
  code: string,
  reason: string,
): DeadLetter {
  return {
    receivedAt: new Date(receivedAtMs).toISOString(),
    topic,
    payload,
    clientId,
    code,
    reason,
  };
}
