import {
  identityProvider,
  type CalibrationProvider,
  type DeadLetterCode,
  type InboundMessage,
  type Outcome,
  type Reading,
  type StoredReading,
} from '@airbox/contracts';
import { decodeMessage, DEFAULT_MAX_PAYLOAD_BYTES } from '@airbox/protocol';
import type { ReadingStore } from '@airbox/store';
import { calibrate } from './calibration.ts';
import { DeadLetterBudget } from './dead-letter-budget.ts';
import { RecentKeys } from './dedup.ts';
import { LiveBus } from './live.ts';
import { letterDevice } from './letter-device.ts';
import { HistoryQc } from './qc.ts';
import { WriteQueue } from './write-queue.ts';

export interface WorkerOptions {
  store: ReadingStore;
  now?: () => number;
  /**
   * Where a box was registered (its owner picked it on the map), for its readings that carry
   * no position: they take it, flagged `position-registered`. Until given, they stay without.
   */
  registeredPosition?: (deviceId: string) => { lat: number; lon: number } | null;
  calibration?: CalibrationProvider;
  maxPayloadBytes?: number;
  maxPendingReadings?: number;
  /**
   * Which dead letters are stored (bytes per client an hour, letters a second); share one
   * with the broker's refusals. Default: a budget of its own with the default bounds.
   */
  deadLetterBudget?: DeadLetterBudget;
}

/** Counters for /metrics, named after what they count. */
export interface WorkerCounters {
  messagesTotal: number;
  /** Readings handed to the store (new ones and ones it already had). */
  readingsAccepted: number;
  readingsDuplicate: number;
  deadLetters: number;
  storeFailures: number;
}

/**
 * The stream worker: decode → QC → de-duplicate → calibrate → store → fan out, each stage
 * a named method. `handle` resolves only once the readings are durable (or dead-lettered),
 * so its caller may acknowledge the message then; it rejects when the store cannot take
 * them, and the caller must not acknowledge.
 */
export class StreamWorker {
  readonly live = new LiveBus();
  readonly counters: WorkerCounters = {
    messagesTotal: 0,
    readingsAccepted: 0,
    readingsDuplicate: 0,
    deadLetters: 0,
    storeFailures: 0,
  };
  private readonly qc = new HistoryQc();
  private readonly recent = new RecentKeys();
  private readonly lastSubstitute = new Map<string, number>();
  private readonly queue: WriteQueue;
  private readonly now: () => number;
  private readonly calibration: CalibrationProvider;
  private readonly maxPayloadBytes: number;

  private readonly opts: WorkerOptions;
  readonly deadLetterBudget: DeadLetterBudget;

  constructor(opts: WorkerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.deadLetterBudget = opts.deadLetterBudget ?? new DeadLetterBudget({ now: this.now });
    this.calibration = opts.calibration ?? identityProvider;
    this.maxPayloadBytes = opts.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
    this.queue = new WriteQueue(opts.store, opts.maxPendingReadings);
  }

  async handle(msg: InboundMessage): Promise<Outcome> {
    this.counters.messagesTotal++;
    const decoded = this.decodeStage(msg);
    if (!decoded.ok) return this.deadLetter(msg, decoded.code, decoded.reason);
    const outcome = await this.ingest(decoded.readings, msg.receivedAtMs);
    if (outcome.status === 'stored' && outcome.deadLettered > 0) {
      await this.deadLetter(
        msg,
        'clock-invalid',
        `${outcome.deadLettered} of ${decoded.readings.length} readings have no trustworthy time; the others were stored`,
      );
    }
    return outcome;
  }

  /**
   * The pipeline from the time stage on, for readings that did not come over MQTT (the
   * reference-station feed, file imports); `handle` runs it after decoding. Resolves once
   * the readings are durable; rejects when the store cannot take them. Readings without a
   * time are not stored: `deadLettered` counts them, and the caller, who holds the source
   * bytes, keeps the dead letter (`handle` does).
   */
  async ingest(readings: Reading[], receivedAtMs: number): Promise<Outcome> {
    const { timed, untimed } = this.timeStage(readings, receivedAtMs);
    this.qcStage(timed);
    const fresh = this.dedupStage(timed);
    this.calibrateStage(fresh);
    await this.storeStage(fresh);
    this.fanoutStage(fresh);
    return {
      status: 'stored',
      readings: fresh.length,
      duplicates: timed.length - fresh.length,
      deadLettered: untimed,
    };
  }

  /** Waits for every accepted reading to be written. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  get pendingReadings(): number {
    return this.queue.pendingReadings;
  }

  /** The write queue's bound: at it, new messages are refused until the store catches up. */
  get maxPendingReadings(): number {
    return this.queue.maxPendingReadings;
  }

  /** What the store reported: readings newly written, and ones it already had. */
  get storeTotals(): { written: number; duplicates: number } {
    return this.queue.totals;
  }

  get trackedDevices(): number {
    return this.qc.trackedDevices;
  }

  private decodeStage(msg: InboundMessage) {
    const result = decodeMessage(
      msg.topic,
      msg.payload,
      { nowMs: this.now(), receivedAtMs: msg.receivedAtMs },
      { maxPayloadBytes: this.maxPayloadBytes },
    );
    return result.ok
      ? { ok: true as const, readings: result.readings }
      : { ok: false as const, code: result.error.code, reason: result.error.message };
  }

  /**
   * Readings must have a time to be stored; only a backfill item with a broken clock lacks
   * one. A reading whose broken clock was replaced by the receive time gets a time of its
   * own device never used before, so two such readings in one millisecond are not taken
   * for duplicates (which also means a redelivered one is stored again: its time is ours).
   */
  private timeStage(readings: Reading[], receivedAtMs: number) {
    const receivedAt = new Date(receivedAtMs).toISOString();
    const timed: StoredReading[] = [];
    for (const r of readings) {
      if (r.time === null) continue;
      if (r.flags.includes('clock-invalid')) r.time = this.substituteTime(r.deviceId, r.time);
      // In place, not a copy: this runs for every reading on the ingest path.
      const stored = r as StoredReading;
      stored.receivedAt = receivedAt;
      timed.push(stored);
    }
    return { timed, untimed: readings.length - timed.length };
  }

  private substituteTime(deviceId: string, time: string): string {
    const last = this.lastSubstitute.get(deviceId) ?? -Infinity;
    const ms = Math.max(Date.parse(time), last + 1);
    this.lastSubstitute.delete(deviceId); // Map order = recency, for the bound below
    this.lastSubstitute.set(deviceId, ms);
    if (this.lastSubstitute.size > 100_000) {
      const oldest = this.lastSubstitute.keys().next().value;
      if (oldest !== undefined) this.lastSubstitute.delete(oldest);
    }
    return new Date(ms).toISOString();
  }

  private qcStage(readings: StoredReading[]): void {
    const registered = this.opts.registeredPosition;
    if (registered !== undefined) for (const r of readings) useRegisteredPosition(r, registered);
    this.qc.check(readings);
  }

  private dedupStage(readings: StoredReading[]): StoredReading[] {
    const fresh = this.recent.filterNew(readings) as StoredReading[];
    this.counters.readingsDuplicate += readings.length - fresh.length;
    return fresh;
  }

  private calibrateStage(readings: StoredReading[]): void {
    calibrate(readings, this.calibration);
  }

  private async storeStage(readings: StoredReading[]): Promise<void> {
    if (readings.length === 0) return;
    try {
      await this.queue.enqueue(readings);
      this.counters.readingsAccepted += readings.length;
    } catch (e) {
      this.counters.storeFailures++;
      this.recent.forget(readings);
      throw e;
    }
  }

  private fanoutStage(readings: StoredReading[]): void {
    this.live.publish(readings);
  }

  private async deadLetter(
    msg: InboundMessage,
    code: DeadLetterCode,
    reason: string,
  ): Promise<Outcome> {
    const letter = {
      receivedAt: new Date(msg.receivedAtMs).toISOString(),
      topic: msg.topic,
      payload: msg.payload,
      clientId: msg.clientId,
      deviceId: letterDevice(msg.topic, msg.payload),
      code,
      reason,
    };
    // Over the budget the letter is counted there and not stored; the message is handled.
    await this.deadLetterBudget.keep(letter, (l) => this.opts.store.addDeadLetter(l));
    this.counters.deadLetters++;
    return { status: 'dead-letter', code, reason };
  }
}

/** A box reading without a position takes the one its box was registered at, if any. */
function useRegisteredPosition(
  r: StoredReading,
  registered: NonNullable<WorkerOptions['registeredPosition']>,
): void {
  const missing = r.flags.indexOf('position-missing');
  if (r.kind !== 'box' || missing < 0) return;
  const at = registered(r.deviceId);
  if (at === null) return;
  r.lat = at.lat;
  r.lon = at.lon;
  r.flags.splice(missing, 1, 'position-registered');
}
