import type { RawMessage, SequencedRawMessage } from '@airbox/contracts';

/**
 * A PUBLISH as the broker's tap hands it over: a RawMessage whose time is still a number.
 * Most are never watched, so the ISO time and the sequenced copy are made only for watchers.
 */
export interface TappedMessage extends Omit<RawMessage, 'receivedAt'> {
  receivedAtMs: number;
}

export type RawListener = (message: SequencedRawMessage) => void;

export interface RawBusOptions {
  /** Newest messages kept per box, shown when a tail opens. Default 3. */
  recentPerDevice?: number;
  /** Boxes whose recent messages are kept; beyond it the longest known are forgotten. Default 20,000. */
  maxDevices?: number;
}

interface Kept {
  seq: number;
  message: TappedMessage;
}

/**
 * The broker's raw messages fanned out per box to whoever watches it (the maker page's live
 * tail). Keeps each box's last few messages so an opened tail is not empty until the box
 * next sends; both bounds keep memory fixed however many boxes publish: ~0.5 KB a kept
 * message of a typical 150-byte reading (3 kept of 15,000 boxes: 24 MB of heap; the bound,
 * 20,000 boxes × 3 × 2 KiB of text, ~150 MB). Every PUBLISH passes here, so the unwatched
 * path is one small allocation and an array push.
 */
export class RawBus {
  /**
   * Starts at the clock in µs, so a tail reconnecting to a restarted node (Last-Event-ID
   * from before) still gets the new process's messages: it would have to have tapped more
   * than a million messages a second to catch up with the clock.
   */
  private seq = Date.now() * 1000;
  private readonly recentPerDevice: number;
  private readonly maxDevices: number;
  /** Insertion order: the first key is the box first seen, forgotten first when full. */
  private readonly recent = new Map<string, Kept[]>();
  private readonly listeners = new Map<string, Set<RawListener>>();
  private readonly watchHooks = new Set<(deviceId: string) => void>();

  constructor(opts: RawBusOptions = {}) {
    this.recentPerDevice = opts.recentPerDevice ?? 3;
    this.maxDevices = opts.maxDevices ?? 20_000;
  }

  publish(message: TappedMessage): void {
    const kept: Kept = { seq: ++this.seq, message };
    const id = message.deviceId;
    const ring = this.recent.get(id);
    if (ring !== undefined) {
      if (ring.length >= this.recentPerDevice) ring.shift();
      ring.push(kept);
    } else if (this.recentPerDevice > 0) {
      this.recent.set(id, [kept]);
      if (this.recent.size > this.maxDevices) {
        const first = this.recent.keys().next().value;
        if (first !== undefined) this.recent.delete(first);
      }
    }
    const watching = this.listeners.get(id);
    if (watching === undefined) return;
    const sequenced = toSequenced(kept);
    for (const l of watching) l(sequenced);
  }

  /** The box's kept messages, oldest first; with `afterSeq` only newer ones. */
  recentOf(deviceId: string, afterSeq = 0): SequencedRawMessage[] {
    return (this.recent.get(deviceId) ?? []).filter((k) => k.seq > afterSeq).map(toSequenced);
  }

  subscribe(deviceId: string, listener: RawListener): () => void {
    let set = this.listeners.get(deviceId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(deviceId, set);
      for (const hook of this.watchHooks) hook(deviceId);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(deviceId) === set) this.listeners.delete(deviceId);
    };
  }

  /** Calls `hook` when a box gets its first watcher (the cluster relay tells the brokers). */
  onWatch(hook: (deviceId: string) => void): () => void {
    this.watchHooks.add(hook);
    return () => this.watchHooks.delete(hook);
  }

  /** The box's kept messages as they were tapped, oldest first. */
  keptOf(deviceId: string): TappedMessage[] {
    return (this.recent.get(deviceId) ?? []).map((k) => k.message);
  }

  /** Is this message (same client, topic, time and size) among the box's kept ones? */
  keeps(m: TappedMessage): boolean {
    return (this.recent.get(m.deviceId) ?? []).some(
      ({ message: k }) =>
        k.receivedAtMs === m.receivedAtMs &&
        k.clientId === m.clientId &&
        k.topic === m.topic &&
        k.bytes === m.bytes,
    );
  }

  /** Boxes someone is watching now. */
  watched(): string[] {
    return [...this.listeners.keys()];
  }
}

function toSequenced({ seq, message }: Kept): SequencedRawMessage {
  const { receivedAtMs, ...rest } = message;
  return { seq, ...rest, receivedAt: new Date(receivedAtMs).toISOString() };
}
