import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RawBus, TappedMessage } from '../broker/raw-bus.ts';
import { rawChannel, rawWatchKey, type ClusterKeys } from './keys.ts';

export interface RawRelayOptions {
  /** How often watches are renewed and the watched set re-read. Default 1 s. */
  refreshMs?: number;
  /** A watch not renewed for this long lapses (its node died). Default 10 s. */
  watchTtlMs?: number;
  now?: () => number;
}

export interface RawRelay {
  /** The broker's tap: into this node's bus, and to the other nodes while a box is watched. */
  tap(this: void, message: TappedMessage): void;
  close(): Promise<void>;
}

type Envelope = { t: 'watch'; id: string } | { t: 'msg'; node: string; m: TappedMessage };

/**
 * A box's raw messages reach a maker's tail whichever node serves the page and whichever
 * broker the box is connected to. The node serving a tail marks the box as watched in a
 * Redis hash (renewed while the tail is open) and says so on a channel; brokers publish the
 * messages of watched boxes on that channel — first the few they kept, so an opened tail
 * is not empty — and every node relays them into its own bus. An unwatched box costs Redis
 * nothing; pub/sub is fire-and-forget, as a live view may be.
 */
export async function startRawRelay(
  bus: RawBus,
  redis: Redis,
  keys: ClusterKeys,
  opts: RawRelayOptions = {},
): Promise<RawRelay> {
  const node = randomUUID();
  const now = opts.now ?? Date.now;
  const ttlMs = opts.watchTtlMs ?? 10_000;
  const channel = rawChannel(keys);
  const watchKey = rawWatchKey(keys);
  /** Boxes watched on any node: the ones whose messages this broker publishes. */
  let watched = new Set<string>();

  const send = (envelope: Envelope) =>
    void redis.publish(channel, JSON.stringify(envelope)).catch(() => {});
  /** A box newly watched somewhere: what this node kept of it goes to the watcher first. */
  const startSending = (id: string) => {
    if (watched.has(id)) return;
    watched.add(id);
    for (const m of bus.keptOf(id)) send({ t: 'msg', node, m });
  };

  const sub = redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null });
  sub.on('error', () => {});
  sub.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return; // not ours: a live view drops it
    }
    if (envelope.t === 'watch') startSending(envelope.id);
    else if (envelope.t === 'msg' && envelope.node !== node && !bus.keeps(envelope.m)) {
      bus.publish(envelope.m);
    }
  });
  await sub.subscribe(channel);

  const renew = async (ids: string[]) => {
    if (ids.length === 0) return;
    const until = String(now() + ttlMs);
    await redis.hset(watchKey, Object.fromEntries(ids.map((id) => [id, until])));
  };
  const stopHook = bus.onWatch((id) => {
    renew([id]).catch(() => {});
    send({ t: 'watch', id });
  });
  const refresh = async () => {
    await renew(bus.watched());
    const all = await redis.hgetall(watchKey);
    const next = new Set<string>();
    const lapsed: string[] = [];
    for (const [id, until] of Object.entries(all)) {
      if (Number(until) > now()) next.add(id);
      else lapsed.push(id);
    }
    if (lapsed.length > 0) await redis.hdel(watchKey, ...lapsed);
    for (const id of next) startSending(id);
    watched = next;
  };
  await refresh();
  const timer = setInterval(() => void refresh().catch(() => {}), opts.refreshMs ?? 1_000);
  timer.unref();

  return {
    tap(message) {
      bus.publish(message);
      if (watched.has(message.deviceId)) send({ t: 'msg', node, m: message });
    },
    async close() {
      clearInterval(timer);
      stopHook();
      sub.disconnect();
    },
  };
}
