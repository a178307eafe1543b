/**
 * The device's offline buffer: every reading goes to disk before anything tries to send it,
 * and leaves only when the broker has acknowledged it. Segments `seg-<first seq>.jsonl` are
 * append-only, one JSON reading per line; `state.json` holds `headSeq` (every number below
 * it is gone: acknowledged or dropped) and `droppedReadings`. Bound: the newest
 * `maxReadings`; the oldest are dropped and counted. The README ("Offline buffer") says
 * exactly what a crash can lose.
 */
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import {
  fsyncDir,
  listSegments,
  readSegment,
  readState,
  removeFile,
  segmentName,
  STATE_FILE,
  writeFileAtomic,
} from './buffer-files.ts';
import { DeviceError } from './errors.ts';

export interface OfflineBufferOptions<T> {
  dir: string;
  maxReadings: number;
  /** Checks a line read back from disk; `null` marks it corrupt (skipped and counted). */
  decode: (json: unknown) => T | null;
  /** Lines per segment file before the next one starts (default 256). */
  segmentReadings?: number;
}

export interface BufferedEntry<T> {
  /** Position in the device's stream of readings; increases by one per append. */
  readonly seq: number;
  readonly reading: T;
}

/** For the device status and /metrics: the bound, what it cost, and what reopening found. */
export interface OfflineBufferStats {
  readings: number;
  maxReadings: number;
  /** Readings dropped (oldest first) to keep the bound, since the buffer was created. */
  droppedReadings: number;
  /** Complete lines that did not parse when the buffer was opened (skipped). */
  corruptLines: number;
  /** Bytes of torn last lines (a crash mid-write) cut off when the buffer was opened. */
  tornBytes: number;
  /** True when state.json was unreadable on open: everything on disk is sent again. */
  stateRecovered: boolean;
  segments: number;
}

interface Segment {
  name: string;
  firstSeq: number;
  lines: number;
  bytes: number;
}

const DEFAULT_SEGMENT_READINGS = 256;

export class OfflineBuffer<T> {
  readonly dir: string;
  readonly maxReadings: number;
  readonly #segmentReadings: number;
  readonly #decode: (json: unknown) => T | null;
  #entries: BufferedEntry<T>[] = [];
  #segments: Segment[] = [];
  #nextSeq = 0;
  #dropped = 0;
  #corruptLines = 0;
  #tornBytes = 0;
  #stateRecovered = false;
  #handle: FileHandle | null = null;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;

  private constructor(options: OfflineBufferOptions<T>) {
    if (!Number.isInteger(options.maxReadings) || options.maxReadings < 1) {
      throw new RangeError(`maxReadings must be a whole number ≥ 1, not ${options.maxReadings}`);
    }
    this.dir = options.dir;
    this.maxReadings = options.maxReadings;
    this.#segmentReadings = options.segmentReadings ?? DEFAULT_SEGMENT_READINGS;
    this.#decode = options.decode;
  }

  /** Opens (or creates) the buffer in `dir` and restores the unacknowledged readings. */
  static async open<T>(options: OfflineBufferOptions<T>): Promise<OfflineBuffer<T>> {
    const buffer = new OfflineBuffer(options);
    try {
      await buffer.#load();
    } catch (e) {
      throw buffer.#ioError('open', e);
    }
    return buffer;
  }

  /** Unacknowledged readings held. */
  get size(): number {
    return this.#entries.length;
  }

  /** The `n` oldest unacknowledged readings, oldest first (fewer when fewer are held). */
  peek(n: number): readonly BufferedEntry<T>[] {
    return this.#entries.slice(0, Math.max(0, n));
  }

  /**
   * Appends readings in one write and one fdatasync. When the promise resolves they are on
   * disk; a crash before that may lose them (and only them).
   */
  append(readings: readonly T[]): Promise<void> {
    this.#assertOpen();
    if (readings.length === 0) return Promise.resolve();
    return this.#serial(() => this.#append(readings));
  }

  /** Removes the `n` oldest readings: the broker has acknowledged them. */
  ack(n: number): Promise<void> {
    this.#assertOpen();
    if (!Number.isInteger(n) || n < 0 || n > this.#entries.length) {
      throw new RangeError(`ack(${n}): the buffer holds ${this.#entries.length} readings`);
    }
    if (n === 0) return Promise.resolve();
    this.#entries.splice(0, n);
    return this.#serial(() => this.#persist());
  }

  /**
   * Removes every reading up to and including sequence number `seq`, and returns how many
   * that was. Safe when some were dropped for the bound while they were being sent.
   */
  async ackThrough(seq: number): Promise<number> {
    let n = 0;
    while (n < this.#entries.length && (this.#entries[n]?.seq ?? Infinity) <= seq) n++;
    await this.ack(n);
    return n;
  }

  stats(): OfflineBufferStats {
    return {
      readings: this.#entries.length,
      maxReadings: this.maxReadings,
      droppedReadings: this.#dropped,
      corruptLines: this.#corruptLines,
      tornBytes: this.#tornBytes,
      stateRecovered: this.#stateRecovered,
      segments: this.#segments.length,
    };
  }

  /** Waits for pending writes and closes the files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    await this.#handle?.close();
    this.#handle = null;
  }

  async #load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await removeFile(join(this.dir, `${STATE_FILE}.tmp`));
    const state = await readState(this.dir);
    const segments = await listSegments(this.dir);
    this.#stateRecovered = state === 'corrupt';
    // Without a trustworthy state, resending what is on disk beats losing it.
    const headSeq = typeof state === 'object' && state !== null ? state.headSeq : 0;
    this.#dropped = typeof state === 'object' && state !== null ? state.droppedReadings : 0;
    this.#nextSeq = headSeq;
    for (const { name, firstSeq } of segments) {
      const { lines, tornBytes } = await readSegment(join(this.dir, name));
      this.#tornBytes += tornBytes;
      const endSeq = firstSeq + lines.length;
      this.#nextSeq = Math.max(this.#nextSeq, endSeq);
      if (endSeq <= headSeq) {
        await removeFile(join(this.dir, name));
        continue;
      }
      const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
      this.#segments.push({ name, firstSeq, lines: lines.length, bytes });
      lines.forEach((line, i) => {
        if (firstSeq + i >= headSeq) this.#restore(firstSeq + i, line);
      });
    }
    const excess = this.#entries.length - this.maxReadings;
    if (excess > 0) this.#drop(excess);
    if (excess > 0 || this.#stateRecovered) await this.#persist();
  }

  #restore(seq: number, line: string): void {
    let reading: T | null = null;
    try {
      reading = this.#decode(JSON.parse(line));
    } catch {
      // counted below: a complete line that is not a reading
    }
    if (reading === null) this.#corruptLines++;
    else this.#entries.push({ seq, reading });
  }

  async #append(readings: readonly T[]): Promise<void> {
    const text = readings.map((r) => `${JSON.stringify(r)}\n`).join('');
    const segment = await this.#appendTarget().catch((e: unknown) => {
      throw this.#ioError('append', e);
    });
    const firstSeq = this.#nextSeq;
    try {
      const handle = this.#handle;
      if (handle === null) throw new Error('no open segment');
      await handle.write(text);
      await handle.datasync();
    } catch (e) {
      await this.#abandonSegment(segment);
      // These numbers may already sit on disk in the abandoned segment; never reuse them.
      this.#nextSeq += readings.length;
      throw this.#ioError('append', e);
    }
    segment.lines += readings.length;
    segment.bytes += Buffer.byteLength(text);
    this.#nextSeq += readings.length;
    readings.forEach((reading, i) => this.#entries.push({ seq: firstSeq + i, reading }));
    const excess = this.#entries.length - this.maxReadings;
    if (excess > 0) {
      this.#drop(excess);
      await this.#persist();
    }
  }

  /** The segment to append to: the newest, unless it is full; then a new one. */
  async #appendTarget(): Promise<Segment> {
    const last = this.#segments.at(-1);
    if (last !== undefined && this.#handle !== null && last.lines < this.#segmentReadings) {
      return last;
    }
    await this.#handle?.close();
    this.#handle = null;
    if (last !== undefined && last.lines < this.#segmentReadings) {
      this.#handle = await open(join(this.dir, last.name), 'a');
      return last;
    }
    const segment = {
      name: segmentName(this.#nextSeq),
      firstSeq: this.#nextSeq,
      lines: 0,
      bytes: 0,
    };
    this.#handle = await open(join(this.dir, segment.name), 'a');
    await fsyncDir(this.dir);
    this.#segments.push(segment);
    return segment;
  }

  /** After a failed write: cut the partial bytes off and start a new segment next time. */
  async #abandonSegment(segment: Segment): Promise<void> {
    await this.#handle?.truncate(segment.bytes).catch(() => undefined);
    await this.#handle?.close().catch(() => undefined);
    this.#handle = null;
    segment.lines = this.#segmentReadings;
  }

  #drop(count: number): void {
    this.#entries.splice(0, count);
    this.#dropped += count;
  }

  /** Saves the head and the drop count, then deletes segments that hold nothing live. */
  async #persist(): Promise<void> {
    const headSeq = this.#entries[0]?.seq ?? this.#nextSeq;
    const state = { v: 1, headSeq, droppedReadings: this.#dropped };
    try {
      await writeFileAtomic(this.dir, STATE_FILE, JSON.stringify(state));
      const appending = this.#handle === null ? undefined : this.#segments.at(-1);
      const dead = this.#segments.filter((s) => s !== appending && s.firstSeq + s.lines <= headSeq);
      for (const s of dead) await removeFile(join(this.dir, s.name));
      this.#segments = this.#segments.filter((s) => !dead.includes(s));
    } catch (e) {
      throw this.#ioError('save the state of', e);
    }
  }

  #serial<R>(task: () => Promise<R>): Promise<R> {
    const run = this.#queue.then(task);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`offline buffer in ${this.dir} is closed`);
  }

  #ioError(what: string, cause: unknown): DeviceError {
    if (cause instanceof DeviceError) return cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new DeviceError(
      'DEVICE_BUFFER_IO',
      `could not ${what} the offline buffer in ${this.dir}: ${reason}; check that the directory is writable and the disk is not full`,
      { cause },
    );
  }
}
