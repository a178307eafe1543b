/**
 * The alert outbox: messages an alert evaluator found, kept until a channel took them.
 * The registry stores what the alerts package hands it and reads back; the channel, the
 * event and the area are that package's JSON (the registry is below it and does not know
 * their shapes), the rest are columns the dispatch queries need.
 */

export const OUTBOX_STATES = ['pending', 'delivered', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

/**
 * The retry policy of a message that failed: 30 s, 1 min, 2 min … doubling up to 1 h, and
 * given up (state failed) once it has been in the outbox for 24 h. A receiver down for an
 * hour hears within the hour after it is back; one gone for a day stops costing requests.
 */
export const OUTBOX_FIRST_RETRY_MS = 30_000;
export const OUTBOX_MAX_RETRY_MS = 3_600_000;
export const OUTBOX_GIVE_UP_MS = 24 * 3_600_000;

export interface NewOutboxMessage {
  /** The idempotency key: taken once, ever. */
  key: string;
  subscriptionId: string;
  /** JSON: where it goes and how (channel, signing secret). */
  channelJson: string;
  locale: string;
  /** JSON: what happened. */
  eventJson: string;
  /** JSON of the quiet hours, or null. */
  quietHoursJson: string | null;
  /** JSON of the area for a public area alert (listed in the CAP feed), else null. */
  areaJson: string | null;
}

export interface OutboxMessage extends NewOutboxMessage {
  state: OutboxState;
  /** Tries so far, whatever they ended in. */
  attempts: number;
  /** When it may next be sent (ISO 8601 UTC). */
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

export interface AlertOutboxStore {
  /** False when the key was taken before (the message is not changed). */
  enqueue(message: NewOutboxMessage): Promise<boolean>;
  /** Many in one transaction (one commit, one fsync): each one's answer, in order. */
  enqueueMany(messages: readonly NewOutboxMessage[]): Promise<boolean[]>;
  /**
   * Leases up to `limit` due messages to `owner` for `leaseMs`: the oldest pending message of
   * each subscription, if due and not leased to another. A subscription has at most one
   * message out at a time, so its messages go in order; a dispatcher that dies keeps its
   * lease until it runs out, and then another takes the message.
   */
  claimDue(owner: string, limit: number, leaseMs: number): Promise<OutboxMessage[]>;
  markDelivered(key: string): Promise<void>;
  /** Many delivered at once: one statement, one commit. */
  markDeliveredMany(keys: readonly string[]): Promise<void>;
  /**
   * A failed try: due again after the back-off (or `retryAfterMs`, when the receiver said
   * so, within the cap), or failed for good past OUTBOX_GIVE_UP_MS. Returns the new state.
   */
  markRetry(key: string, error: string, retryAfterMs?: number): Promise<OutboxState>;
  /** A failure that will not go away (a 4xx, an unknown address): failed now. */
  markFailed(key: string, error: string): Promise<void>;
  /** Held until `untilMs` (quiet hours) without counting a try. */
  defer(key: string, untilMs: number): Promise<void>;
  get(key: string): Promise<OutboxMessage | null>;
  /** Newest first: one subscription's, or every one's; only `state` if given. */
  listRecent(filter: {
    subscriptionId?: string;
    state?: OutboxState;
    limit: number;
  }): Promise<OutboxMessage[]>;
  /** Public area alerts, newest first (the CAP feed). */
  listRecentAreas(limit: number): Promise<OutboxMessage[]>;
  /**
   * The server's 256-bit key of this name, made on first use and kept: the same on every node
   * of a shared registry and after a restart (unsubscribe links stay valid).
   */
  serverKey(name: string): Promise<Buffer>;
  /** Forgets delivered and failed messages created before `beforeMs`; returns how many. */
  prune(beforeMs: number): Promise<number>;
}
