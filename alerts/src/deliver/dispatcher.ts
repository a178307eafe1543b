import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  checkOutboxKey,
  type AlertOutboxStore,
  type NewOutboxMessage,
  type OutboxMessage,
} from '@airbox/registry';
import type { ChannelSender, SendOutcome } from '../channels/channel.ts';
import { renderMessage } from '../messages.ts';
import type { AlertChannel, AlertEvent, AlertOutbox, Subscription } from '../types.ts';
import { UNSUBSCRIBE_KEY_NAME, unsubscribeUrl } from '../unsubscribe.ts';
import { fromOutboxMessage, toOutboxMessage, type Envelope } from './envelope.ts';
import { GroupCommit } from './group-commit.ts';
import { quietUntil } from './quiet-hours.ts';

/**
 * The delivery loop: takes due messages from the outbox (leased, one per subscription at a
 * time, so each subscription's messages go in order) and sends them through their channel,
 * at most `concurrency` at once. It runs beside ingest, never in it: the evaluator's only
 * cost is `enqueue`, one INSERT, however slow or dead a receiver is.
 *
 * At least once on the wire, once in practice: a message is marked delivered right after the
 * receiver's 2xx, so only a crash between those two resends it, with the same idempotency
 * key for the receiver to drop. A crash at any other point loses nothing: the message stays
 * pending and its lease runs out.
 */

export type DispatchLog = (event: string, fields: Record<string, unknown>) => void;

export interface DispatcherOptions {
  store: AlertOutboxStore;
  /** The senders of the channels this server has; a message for a missing one waits. */
  channels: Partial<Record<AlertChannel['type'], ChannelSender>>;
  /** --public-url: the base of unsubscribe links. */
  publicUrl: URL;
  now?: () => number;
  /**
   * Sent at most this many at once. Default 32. A receiver that hangs holds its slots for
   * the channel's timeout (10 s) each.
   */
  concurrency?: number;
  /** How long a claimed message is this dispatcher's; longer than any send can take. Default 2 min. */
  leaseMs?: number;
  /** How often the outbox is looked at when nothing woke the loop (another node's enqueue, a retry falling due). Default 1 s. */
  pollMs?: number;
  log?: DispatchLog;
  /** False once a subscription is paused or deleted: its waiting messages are dropped, not sent. */
  isActive?: (subscriptionId: string) => Promise<boolean>;
  /** Told after each message's outcome (metrics, `airbox alerts test`, the benchmark). */
  onOutcome?: (key: string, outcome: SendOutcome, envelope: Envelope | null) => void;
}

export interface DispatchStats {
  delivered: number;
  retried: number;
  failed: number;
  held: number;
}

/** Forgets delivered and failed messages after 30 days (the outbox is not an archive). */
const KEEP_MS = 30 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

export class AlertDispatcher implements AlertOutbox {
  readonly stats: DispatchStats = { delivered: 0, retried: 0, failed: 0, held: 0 };
  private readonly o: Required<Omit<DispatcherOptions, 'isActive' | 'onOutcome'>> &
    Pick<DispatcherOptions, 'isActive' | 'onOutcome'>;
  private readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loopDone: Promise<void> | null = null;
  private dirty = false;
  private wakeUp: (() => void) | null = null;
  private unsubscribeKey: Buffer | null = null;
  private lastPruneMs = 0;
  private readonly enqueues: GroupCommit<NewOutboxMessage, boolean>;
  private readonly deliveredMarks: GroupCommit<string, undefined>;

  constructor(options: DispatcherOptions) {
    this.o = {
      now: Date.now,
      concurrency: 32,
      leaseMs: 120_000,
      pollMs: 1_000,
      log: () => {},
      ...options,
    };
    const store = options.store;
    this.enqueues = new GroupCommit((ms) => store.enqueueMany(ms));
    this.deliveredMarks = new GroupCommit(async (keys) => {
      await store.markDeliveredMany(keys);
      return keys.map(() => undefined);
    });
  }

  /** Durable when it resolves; false when the key was taken before. Wakes the loop. */
  async enqueue(event: AlertEvent, subscription: Subscription): Promise<boolean> {
    const message = toOutboxMessage(event, subscription);
    checkOutboxKey(message.key);
    const taken = await this.enqueues.add(message);
    if (taken) this.wake();
    return taken;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Stops claiming, and waits for the sends under way (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.all(this.inFlight);
  }

  /** Claims what is due now and sends it; resolves when those sends are done. Returns how many. */
  async runOnce(): Promise<number> {
    const claimed = await this.o.store.claimDue(this.owner, this.o.concurrency, this.o.leaseMs);
    await Promise.all(claimed.map((m) => this.deliver(m)));
    return claimed.length;
  }

  private wake(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.dirty = false;
      const free = this.o.concurrency - this.inFlight.size;
      const claimed = free > 0 ? await this.claim(free) : [];
      for (const m of claimed) this.track(this.deliver(m));
      await this.prune();
      // A full batch: more may be due at once.
      if (claimed.length > 0 && claimed.length === free) continue;
      await this.idle();
    }
  }

  private async claim(n: number): Promise<OutboxMessage[]> {
    try {
      return await this.o.store.claimDue(this.owner, n, this.o.leaseMs);
    } catch (e) {
      this.o.log('alert-outbox-unavailable', { error: (e as Error).message });
      return [];
    }
  }

  /** Until woken (an enqueue, a send finished), or pollMs. */
  private async idle(): Promise<void> {
    if (this.dirty || !this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.o.pollMs);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeUp = null;
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => {
      this.inFlight.delete(p);
      // Its subscription's next message may be due now. A claim is a commit too: taken when
      // half the slots are free, not after every send.
      if (this.inFlight.size <= this.o.concurrency / 2) this.wake();
    });
  }

  private async deliver(m: OutboxMessage): Promise<void> {
    try {
      await this.deliverOrHold(m);
    } catch (e) {
      // The outbox did not answer: the lease runs out and the message is tried again.
      this.o.log('alert-delivery-error', { key: m.key, error: (e as Error).message });
    }
  }

  private async deliverOrHold(m: OutboxMessage): Promise<void> {
    const { store } = this.o;
    let envelope: Envelope;
    try {
      envelope = fromOutboxMessage(m);
    } catch (e) {
      return this.settle(
        m.key,
        { ok: false, permanent: true, error: `unreadable: ${(e as Error).message}` },
        null,
      );
    }
    const isTest = envelope.event.type === 'test';
    if (!isTest && this.o.isActive && !(await this.o.isActive(envelope.subscriptionId))) {
      return this.settle(
        m.key,
        { ok: false, permanent: true, error: 'subscription paused or deleted' },
        envelope,
      );
    }
    // A test is asked for by a person who is waiting for it: quiet hours do not hold it.
    const until = isTest ? null : quietUntil(envelope.quietHours, this.o.now());
    if (until !== null) {
      this.stats.held++;
      await store.defer(m.key, until);
      return;
    }
    const sender = this.o.channels[envelope.channel.type];
    if (sender === undefined) {
      const error = `this server has no ${envelope.channel.type} channel configured`;
      return this.settle(m.key, { ok: false, permanent: false, error }, envelope);
    }
    const link = unsubscribeUrl(this.o.publicUrl, await this.key(), envelope.subscriptionId);
    const message = renderMessage(envelope.event, envelope.locale, link);
    const outcome = await sender.send({ envelope, message, unsubscribeUrl: link });
    return this.settle(m.key, outcome, envelope);
  }

  private async settle(
    key: string,
    outcome: SendOutcome,
    envelope: Envelope | null,
  ): Promise<void> {
    const { store, log } = this.o;
    if (outcome.ok) {
      // Right after the 2xx, in the next commit with the others that finished meanwhile.
      await this.deliveredMarks.add(key);
      this.stats.delivered++;
    } else if (outcome.permanent) {
      await store.markFailed(key, outcome.error);
      this.stats.failed++;
      log('alert-failed', { key, error: outcome.error });
    } else {
      const state = await store.markRetry(key, outcome.error, outcome.retryAfterMs);
      if (state === 'failed') this.stats.failed++;
      else this.stats.retried++;
      log(state === 'failed' ? 'alert-failed' : 'alert-retry', { key, error: outcome.error });
    }
    this.o.onOutcome?.(key, outcome, envelope);
  }

  private async key(): Promise<Buffer> {
    this.unsubscribeKey ??= await this.o.store.serverKey(UNSUBSCRIBE_KEY_NAME);
    return this.unsubscribeKey;
  }

  private async prune(): Promise<void> {
    const nowMs = this.o.now();
    if (nowMs - this.lastPruneMs < PRUNE_EVERY_MS) return;
    this.lastPruneMs = nowMs;
    try {
      const n = await this.o.store.prune(nowMs - KEEP_MS);
      if (n > 0) this.o.log('alert-outbox-pruned', { messages: n });
    } catch (e) {
      this.o.log('alert-outbox-unavailable', { error: (e as Error).message });
    }
  }
}
