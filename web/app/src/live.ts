import { api, LiveMessageSchema, type Reading } from './api.ts';

export type LiveState = 'connecting' | 'live' | 'polling' | 'offline';

export interface LiveOptions {
  /** Follow only these devices; all when absent. */
  deviceIds?: string[];
  onReadings(readings: Reading[]): void;
  onState?(state: LiveState): void;
  /**
   * Polling interval while the WebSocket is down or not served (404). Default 500 ms: a
   * reading still shows within a second or so; the ETag makes an unchanged answer a 304.
   */
  pollMs?: number;
}

export interface LiveHandle {
  close(): void;
  state(): LiveState;
}

const MAX_BACKOFF_MS = 30_000;
/** WebSocket attempts that fail before opening, after which we poll meanwhile. */
const FAILURES_BEFORE_POLLING = 2;

/** One live feed's connection state: the socket, the polling loop, the newest time held. */
class LiveFeed implements LiveHandle {
  private readonly opts: LiveOptions;
  private readonly pollMs: number;
  private newestTime: string | undefined;
  private socket: WebSocket | null = null;
  private failures = 0;
  private closed = false;
  private current: LiveState = 'connecting';
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private etag: string | null = null;
  private polling = false;

  constructor(opts: LiveOptions) {
    this.opts = opts;
    this.pollMs = opts.pollMs ?? 500;
  }

  state(): LiveState {
    return this.current;
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
  }

  private setState(next: LiveState): void {
    if (next === this.current) return;
    this.current = next;
    this.opts.onState?.(next);
  }

  private deliver(readings: Reading[]): void {
    for (const r of readings)
      if (this.newestTime === undefined || r.time > this.newestTime) this.newestTime = r.time;
    if (readings.length > 0) this.opts.onReadings(readings);
  }

  // A method rather than comparing `current` inline: the socket changes the state while a
  // poll is awaited.
  private isLive(): boolean {
    return this.current === 'live';
  }

  private async poll(): Promise<void> {
    this.pollTimer = null;
    if (this.closed || this.isLive()) {
      this.polling = false;
      return;
    }
    try {
      const answer = await api.latestIfChanged(this.opts.deviceIds, this.etag);
      if (answer !== null) {
        this.etag = answer.etag;
        this.deliver(answer.readings);
      }
      if (!this.isLive()) this.setState('polling');
    } catch {
      if (!this.isLive()) this.setState('offline');
    }
    this.pollTimer = setTimeout(() => void this.poll(), this.pollMs);
  }

  /** One polling loop at most; it ends itself once the socket is live again. */
  private startPolling(): void {
    if (this.polling || this.closed) return;
    this.polling = true;
    void this.poll();
  }

  connect(): void {
    this.retryTimer = null;
    if (this.closed) return;
    let opened = false;
    const ws = new WebSocket(api.liveUrl(this.opts.deviceIds, this.newestTime));
    this.socket = ws;
    ws.onopen = () => {
      opened = true;
      this.failures = 0;
      this.setState('live');
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const parsed = LiveMessageSchema.safeParse(JSON.parse(event.data));
      if (parsed.success) this.deliver(parsed.data.readings);
    };
    ws.onclose = () => this.onClose(opened);
  }

  /** Polls after repeated failures meanwhile, and reconnects with exponential back-off. */
  private onClose(opened: boolean): void {
    this.socket = null;
    if (this.closed) return;
    if (!opened) this.failures += 1;
    if (this.current === 'live') this.setState('connecting');
    if (this.failures >= FAILURES_BEFORE_POLLING) this.startPolling();
    const backoffMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.failures, 6));
    this.retryTimer = setTimeout(() => this.connect(), backoffMs);
  }
}

/**
 * The live feed: /api/v1/live over WebSocket (snapshot, then re-sync from the newest time
 * held after every reconnect, then the tail), with exponential back-off. While the socket
 * is down — or when the server does not serve it — /api/v1/readings/latest is polled with
 * its ETag, so readings still arrive within `pollMs`.
 */
export function openLive(opts: LiveOptions): LiveHandle {
  const feed = new LiveFeed(opts);
  feed.connect();
  return { close: () => feed.close(), state: () => feed.state() };
}
