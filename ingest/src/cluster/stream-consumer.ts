import type { InboundMessage } from '@airbox/contracts';
import type { Redis } from 'ioredis';
import { CONSUMER_GROUP, ensureGroups, streamKey, type ClusterKeys } from './keys.ts';
import { PartitionLeases } from './leases.ts';
import { entryToMessage } from './stream-handoff.ts';

type Entry = [id: Buffer, fields: Buffer[]];
type ReadReply = [stream: Buffer, entries: Entry[]][] | null;

export interface StreamConsumerOptions {
  /** Commands (leases, acknowledgements); the consumer makes its own connection for reads. */
  redis: Redis;
  keys: ClusterKeys;
  /** The consumer name in the group and the lease holder: unique among live workers. */
  workerId: string;
  /** Stores a message's readings; resolves once they are durable, rejects if not. */
  handle: (msg: InboundMessage) => Promise<unknown>;
  leaseMs?: number;
  batchSize?: number;
  blockMs?: number;
  now?: () => number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * A worker's share of the Redis stream: it reads the partitions it leases, hands every
 * message to the stream worker, and acknowledges and deletes an entry only once its readings
 * are stored. What it read but could not store stays pending and is read again; a partition
 * it gains comes with the entries its previous holder left unacknowledged. At least once,
 * then: the store's (device, time) key makes a reading stored exactly once.
 */
export class StreamConsumer {
  readonly counters = { entriesStored: 0, entriesFailed: 0, malformed: 0, claimed: 0 };
  /** Entries in the streams of our partitions (unread and unacknowledged), at the last round. */
  backlogEntries = 0;
  private readonly opts: StreamConsumerOptions;
  private readonly leases: PartitionLeases;
  private readonly reader: Redis;
  private readonly now: () => number;
  private readonly log: NonNullable<StreamConsumerOptions['log']>;
  private readonly toClaim = new Map<number, number>(); // partition → min idle ms
  private retryOwn = false;
  /** Batches handed to the worker and not yet stored: reading goes on meanwhile. */
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private loop: Promise<void> | null = null;

  constructor(opts: StreamConsumerOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.leases = new PartitionLeases(opts.redis, opts.keys, opts.workerId, {
      leaseMs: opts.leaseMs,
      now: this.now,
    });
    this.reader = opts.redis.duplicate();
    this.reader.on('error', () => {}); // ioredis reconnects; the loop's own errors are logged
  }

  get partitions(): number[] {
    return [...this.leases.owned].sort((a, b) => a - b);
  }

  async start(): Promise<void> {
    await ensureGroups(this.opts.redis, this.opts.keys);
    await this.round();
    this.loop = this.run();
  }

  /** Finishes the batch in hand, gives back the leases (the others take over at once). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    await Promise.all(this.inFlight);
    await this.leases.releaseAll().catch(() => {});
    this.reader.disconnect();
  }

  private async run(): Promise<void> {
    let nextRoundMs = this.now() + this.leases.roundMs;
    while (!this.stopping) {
      try {
        if (this.now() >= nextRoundMs) {
          await this.round();
          nextRoundMs = this.now() + this.leases.roundMs;
        }
        await this.claimPending();
        if (this.leases.owned.size === 0) {
          await sleep(Math.min(500, this.leases.roundMs));
          continue;
        }
        if (this.retryOwn) {
          // Something was not stored (the store is likely down): let the rest settle, pause,
          // then read our own pending entries again.
          await Promise.all(this.inFlight);
          await sleep(1000);
        }
        while (this.inFlight.size >= MAX_BATCHES_IN_FLIGHT) await Promise.race(this.inFlight);
        await this.readBatch();
      } catch (e) {
        this.log('stream-consumer-error', { message: (e as Error).message });
        await sleep(1000);
      }
    }
  }

  private async round(): Promise<void> {
    const { gained, lost } = await this.leases.round();
    for (const p of gained) this.toClaim.set(p, 0);
    for (const p of lost) this.toClaim.delete(p);
    // Entries read by a holder that lost the lease mid-batch: idle long, nobody's any more.
    for (const p of this.leases.owned) {
      if (!this.toClaim.has(p)) this.toClaim.set(p, 2 * this.leases.roundMs * 3);
    }
    if (gained.length > 0 || lost.length > 0) {
      this.log('partitions', {
        workerId: this.opts.workerId,
        gained,
        lost,
        owned: this.partitions,
      });
    }
    let backlog = 0;
    for (const p of this.leases.owned) {
      backlog += await this.opts.redis.xlen(streamKey(this.opts.keys, p));
    }
    this.backlogEntries = backlog;
  }

  /** Takes over a partition's pending entries (its previous holder's) and stores them. */
  private async claimPending(): Promise<void> {
    for (const [p, minIdleMs] of this.toClaim) {
      if (this.stopping || !this.leases.owned.has(p)) break;
      const key = streamKey(this.opts.keys, p);
      let cursor = '0-0';
      do {
        const reply = (await this.opts.redis.callBuffer(
          'XAUTOCLAIM',
          key,
          CONSUMER_GROUP,
          this.opts.workerId,
          minIdleMs,
          cursor,
          'COUNT',
          this.batchSize,
        )) as [Buffer, Entry[], Buffer[]?];
        cursor = reply[0].toString();
        const entries = reply[1].filter((e) => e !== null && e[1] !== null);
        this.counters.claimed += entries.length;
        if (entries.length > 0) await this.process(p, entries);
      } while (cursor !== '0-0' && !this.stopping);
      this.toClaim.delete(p);
    }
  }

  private async readBatch(): Promise<void> {
    const owned = this.partitions;
    const reply = (await this.reader.callBuffer(
      'XREADGROUP',
      'GROUP',
      CONSUMER_GROUP,
      this.opts.workerId,
      'COUNT',
      this.batchSize,
      'BLOCK',
      this.opts.blockMs ?? 1000,
      'STREAMS',
      ...owned.map((p) => streamKey(this.opts.keys, p)),
      ...owned.map(() => (this.retryOwn ? '0' : '>')),
    )) as ReadReply;
    const retrying = this.retryOwn;
    this.retryOwn = false;
    if (reply === null) return;
    for (const [stream, entries] of reply) {
      if (entries.length === 0) continue;
      const name = stream.toString();
      const p = Number(name.slice(name.lastIndexOf(':') + 1));
      const batch = this.process(p, entries);
      if (retrying) {
        await batch; // our pending ones, one pass at a time
        this.retryOwn ||= entries.length >= this.batchSize; // more of them may follow
      } else {
        this.inFlight.add(batch);
        void batch.finally(() => this.inFlight.delete(batch));
      }
    }
  }

  /**
   * Hands the entries to the worker in stream order (its QC sees a device's readings in the
   * order they came: a later batch's are handed over after an earlier one's, even while the
   * earlier one waits for the store) and waits for all; acknowledges those stored. A failure
   * leaves the rest pending, to be read again after a pause (the store is likely down).
   */
  private async process(partition: number, entries: Entry[]): Promise<void> {
    const done: Buffer[] = [];
    const work: Promise<void>[] = [];
    for (const [id, fields] of entries) {
      const msg = entryToMessage(fields);
      if (msg === null) {
        this.counters.malformed++;
        this.log('stream-entry-malformed', { partition, id: id.toString() });
        done.push(id);
        continue;
      }
      work.push(
        this.opts.handle(msg).then(
          () => {
            done.push(id);
            this.counters.entriesStored++;
          },
          (e: unknown) => {
            this.counters.entriesFailed++;
            this.log('store-failed', { partition, message: (e as Error).message });
          },
        ),
      );
    }
    await Promise.all(work);
    if (done.length > 0) {
      const key = streamKey(this.opts.keys, partition);
      await this.opts.redis
        .multi()
        .xack(key, CONSUMER_GROUP, ...done)
        .xdel(key, ...done)
        .exec();
    }
    if (done.length < entries.length) this.retryOwn = true;
  }

  private get batchSize(): number {
    return this.opts.batchSize ?? 500;
  }
}

/**
 * Batches read ahead while earlier ones wait for the store: an InfluxDB store makes a batch
 * wait up to its flush interval (500 ms), so one batch at a time capped a worker near 900
 * readings/s (bench scaleout).
 */
const MAX_BATCHES_IN_FLIGHT = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
