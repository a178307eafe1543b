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

/** One node's side of the relay: what it sends for watched boxes and what it relays in. */
class RawRelayNode implements RawRelay {
  private readonly node = randomUUID();
  private readonly channel: string;
  private readonly watchKey: string;
  private readonly now: () => number;
  private readonly ttlMs: number;
  /** Boxes watched on any node: the ones whose messages this broker publishes. */
  private watched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopHook: () => void = () => {};
  private readonly sub: Redis;
  private readonly bus: RawBus;
  private readonly redis: Redis;

  constructor(bus: RawBus, redis: Redis, keys: ClusterKeys, opts: RawRelayOptions) {
    this.bus = bus;
    this.redis = redis;
    this.now = opts.now ?? Date.now;
    this.ttlMs = opts.watchTtlMs ?? 10_000;
    this.channel = rawChannel(keys);
    this.watchKey = rawWatchKey(keys);
    this.sub = redis.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null });
  }

  async start(refreshMs: number): Promise<void> {
    this.sub.on('error', () => {});
    this.sub.on('message', (ch: string, text: string) => this.receive(ch, text));
    await this.sub.subscribe(this.channel);
    this.stopHook = this.bus.onWatch((id) => {
      this.renew([id]).catch(() => {});
      this.send({ t: 'watch', id });
    });
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => {}), refreshMs);
    this.timer.unref();
  }

  readonly tap = (message: TappedMessage): void => {
    this.bus.publish(message);
    if (this.watched.has(message.deviceId)) this.send({ t: 'msg', node: this.node, m: message });
  };

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.stopHook();
    this.sub.disconnect();
  }

  private send(envelope: Envelope): void {
    void this.redis.publish(this.channel, JSON.stringify(envelope)).catch(() => {});
  }

  /** A box newly watched somewhere: what this node kept of it goes to the watcher first. */
  private startSending(id: string): void {
    if (this.watched.has(id)) return;
    this.watched.add(id);
    for (const m of this.bus.keptOf(id)) this.send({ t: 'msg', node: this.node, m });
  }

  private receive(ch: string, text: string): void {
    if (ch !== this.channel) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(text) as Envelope;
    } catch {
      return; // not ours: a live view drops it
    }
    if (envelope.t === 'watch') this.startSending(envelope.id);
    else if (envelope.t === 'msg' && envelope.node !== this.node && !this.bus.keeps(envelope.m)) {
      this.bus.publish(envelope.m);
    }
  }

  private async renew(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const until = String(this.now() + this.ttlMs);
    await this.redis.hset(this.watchKey, Object.fromEntries(ids.map((id) => [id, until])));
  }

  /** Renews this node's watches, drops lapsed ones, and sends for every box still watched. */
  private async refresh(): Promise<void> {
    await this.renew(this.bus.watched());
    const all = await this.redis.hgetall(this.watchKey);
    const next = new Set<string>();
    const lapsed: string[] = [];
    for (const [id, until] of Object.entries(all)) {
      if (Number(until) > this.now()) next.add(id);
      else lapsed.push(id);
    }
    if (lapsed.length > 0) await this.redis.hdel(this.watchKey, ...lapsed);
    for (const id of next) this.startSending(id);
    this.watched = next;
  }
}

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
  const relay = new RawRelayNode(bus, redis, keys, opts);
  await relay.start(opts.refreshMs ?? 1_000);
  return relay;
}
