import type { RawMessage, SequencedRawMessage } from '@airbox/protocol';

export type RawListener = (message: SequencedRawMessage) => void;

export interface RawBusOptions {
  /** Newest messages kept per box, shown when a tail opens. Default 5. */
  recentPerDevice?: number;
  /** Boxes whose recent messages are kept; the longest quiet ones are forgotten. Default 20,000. */
  maxDevices?: number;
}

/**
 * The broker's raw messages fanned out per box to whoever watches it (the maker page's live
 * tail). Keeps each box's last few messages so an opened tail is not empty until the box
 * next sends; both bounds keep memory fixed however many boxes publish (20,000 boxes × 5
 * messages of at most 2 KiB of text).
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
  /** Insertion order is last-publish order: the first key is the box quiet the longest. */
  private readonly recent = new Map<string, SequencedRawMessage[]>();
  private readonly listeners = new Map<string, Set<RawListener>>();

  constructor(opts: RawBusOptions = {}) {
    this.recentPerDevice = opts.recentPerDevice ?? 5;
    this.maxDevices = opts.maxDevices ?? 20_000;
  }

  publish(message: RawMessage): void {
    const sequenced: SequencedRawMessage = { ...message, seq: ++this.seq };
    const id = message.deviceId;
    const kept = this.recent.get(id) ?? [];
    this.recent.delete(id);
    kept.push(sequenced);
    if (kept.length > this.recentPerDevice) kept.shift();
    this.recent.set(id, kept);
    if (this.recent.size > this.maxDevices) {
      const quietest = this.recent.keys().next().value;
      if (quietest !== undefined) this.recent.delete(quietest);
    }
    const watching = this.listeners.get(id);
    if (watching !== undefined) for (const l of watching) l(sequenced);
  }

  /** The box's kept messages, oldest first; with `afterSeq` only newer ones. */
  recentOf(deviceId: string, afterSeq = 0): SequencedRawMessage[] {
    return (this.recent.get(deviceId) ?? []).filter((m) => m.seq > afterSeq);
  }

  subscribe(deviceId: string, listener: RawListener): () => void {
    let set = this.listeners.get(deviceId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(deviceId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(deviceId) === set) this.listeners.delete(deviceId);
    };
  }

  /** Boxes someone is watching now. */
  watched(): string[] {
    return [...this.listeners.keys()];
  }
}
