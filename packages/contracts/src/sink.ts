import type { DeadLetterCode } from './codes.ts';

/** One MQTT PUBLISH as the broker hands it on. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  clientId: string | null;
  receivedAtMs: number;
  /** Whose messages these are, for partitioning (the device's login); default the client id. */
  partitionKey?: string;
}

/** What the embedded worker did with a message (a stream hand-off only queues it). */
export type Outcome =
  | { status: 'stored'; readings: number; duplicates: number; deadLettered: number }
  | { status: 'dead-letter'; code: DeadLetterCode; reason: string };

/**
 * Where the broker puts an accepted PUBLISH: the embedded stream worker, or the Redis stream
 * of the scaled-out layout. `handle` resolves once the message is durable (stored, queued or
 * dead-lettered), so the broker may send the PUBACK then; it rejects when it is not, and the
 * broker must not acknowledge.
 */
export interface ReadingSink {
  handle(msg: InboundMessage): Promise<Outcome | void>;
}
