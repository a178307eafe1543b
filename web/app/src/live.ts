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

/**
 * The live feed: /api/v1/live over WebSocket (snapshot, then re-sync from the newest time
 * held after every reconnect, then the tail), with exponential back-off. While the socket
 * is down — or when the server does not serve it — /api/v1/readings/latest is polled with
 * its ETag, so readings still arrive within `pollMs`.
 */
export function openLive(opts: LiveOptions): LiveHandle {
  const pollMs = opts.pollMs ?? 500;
  let newestTime: string | undefined;
  let socket: WebSocket | null = null;
  let failures = 0;
  let closed = false;
  let state: LiveState = 'connecting';
  let pollTimer: ReturnType<typeof setTimeout> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let etag: string | null = null;

  const setState = (next: LiveState) => {
    if (next === state) return;
    state = next;
    opts.onState?.(next);
  };
  const deliver = (readings: Reading[]) => {
    for (const r of readings)
      if (newestTime === undefined || r.time > newestTime) newestTime = r.time;
    if (readings.length > 0) opts.onReadings(readings);
  };

  // A function, not the variable: the socket changes the state while a poll is awaited.
  const isLive = () => state === 'live';
  let polling = false;
  const poll = async () => {
    pollTimer = null;
    if (closed || isLive()) {
      polling = false;
      return;
    }
    try {
      const answer = await api.latestIfChanged(opts.deviceIds, etag);
      if (answer !== null) {
        etag = answer.etag;
        deliver(answer.readings);
      }
      if (!isLive()) setState('polling');
    } catch {
      if (!isLive()) setState('offline');
    }
    pollTimer = setTimeout(() => void poll(), pollMs);
  };
  /** One polling loop at most; it ends itself once the socket is live again. */
  const startPolling = () => {
    if (polling || closed) return;
    polling = true;
    void poll();
  };

  const connect = () => {
    retryTimer = null;
    if (closed) return;
    let opened = false;
    const ws = new WebSocket(api.liveUrl(opts.deviceIds, newestTime));
    socket = ws;
    ws.onopen = () => {
      opened = true;
      failures = 0;
      setState('live');
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const parsed = LiveMessageSchema.safeParse(JSON.parse(event.data));
      if (parsed.success) deliver(parsed.data.readings);
    };
    ws.onclose = () => {
      socket = null;
      if (closed) return;
      if (!opened) failures += 1;
      if (state === 'live') setState('connecting');
      if (failures >= FAILURES_BEFORE_POLLING) startPolling();
      const backoffMs = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
      retryTimer = setTimeout(connect, backoffMs);
    };
  };

  connect();
  return {
    close: () => {
      closed = true;
      socket?.close();
      if (pollTimer !== null) clearTimeout(pollTimer);
      if (retryTimer !== null) clearTimeout(retryTimer);
    },
    state: () => state,
  };
}
