import type { StoredReading } from './reading.ts';
import type { SequencedRawMessage } from './raw-message.ts';

/** Where live readings come from: the stream worker's LiveBus, or the cluster's relay. */
export interface LiveSource {
  /** Calls `listener` with each batch of newly stored readings; returns the unsubscribe. */
  subscribe(listener: (readings: StoredReading[]) => void): () => void;
}

/** The broker's raw messages of each box (ingest's RawBus), for the maker page's tail. */
export interface RawSource {
  /** The box's newest kept messages, oldest first; with `afterSeq` only later ones. */
  recentOf(deviceId: string, afterSeq?: number): SequencedRawMessage[];
  /** Calls `listener` with each message of the box from now on; returns the unsubscribe. */
  subscribe(deviceId: string, listener: (message: SequencedRawMessage) => void): () => void;
}
