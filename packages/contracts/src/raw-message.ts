import type { DeadLetterCode } from './codes.ts';

/**
 * One PUBLISH as the broker saw it — topic, payload text and what became of it — for a
 * maker's live tail of a box (`GET /api/v1/devices/:id/raw.sse`). Not a reading: the bytes
 * before any decoding, including the ones that were refused.
 */
export interface RawMessage {
  /** The box the message concerns: its login, else the device named by topic or payload. */
  deviceId: string;
  topic: string;
  clientId: string;
  /** When the broker received it (ISO 8601, UTC). */
  receivedAt: string;
  /** The payload's size in bytes. */
  bytes: number;
  /** The payload as UTF-8 text, at most RAW_TEXT_MAX_BYTES of it. */
  text: string;
  /** The payload was longer than the text holds. */
  truncated: boolean;
  /**
   * The box's last will (set when it connected), published by the broker because the
   * connection was lost without a DISCONNECT.
   */
  will?: true;
  outcome: RawOutcome;
  /** The refusal or dead-letter code (`refused`, `dead-letter`). */
  code?: DeadLetterCode;
  /** Why it was refused, dead-lettered or left unacknowledged. */
  reason?: string;
  /** Readings newly stored from it, and ones the store already had (`stored`). */
  readings?: number;
  duplicates?: number;
}

/**
 * - `stored`: the embedded worker stored its readings before the PUBACK.
 * - `queued`: handed to the workers' Redis stream before the PUBACK.
 * - `accepted`: let through to subscribers (status messages; `--handoff mqtt`).
 * - `dead-letter`: accepted, but its readings could not be decoded: kept as a dead letter.
 * - `refused`: the broker refused it (not allowed, too large, rate-limited …): dead letter.
 * - `unacknowledged`: the store or stream could not take it; the box will send it again.
 */
export type RawOutcome =
  'stored' | 'queued' | 'accepted' | 'dead-letter' | 'refused' | 'unacknowledged';

export const RAW_OUTCOMES: readonly RawOutcome[] = [
  'stored',
  'queued',
  'accepted',
  'dead-letter',
  'refused',
  'unacknowledged',
];

/** Bytes of a payload shown in a live tail; the rest is counted, not kept. */
export const RAW_TEXT_MAX_BYTES = 2048;

/** A tapped message as a live tail carries it: numbered by the node that serves the tail. */
export interface SequencedRawMessage extends RawMessage {
  /** Grows by one with every message the serving node sees; a reconnecting client sends the last. */
  seq: number;
}
