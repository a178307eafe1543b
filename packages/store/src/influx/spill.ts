import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InfluxStoreError, describeError } from './errors.ts';

/** What a spilled line is, so a refused one is dead-lettered (reading) or dropped (letter). */
export type PointKind = 'reading' | 'dead-letter';
export interface SpillRecord {
  kind: PointKind;
  line: string;
}

/** One spill file, read back whole for replay. */
export interface SpillSegment {
  name: string;
  records: SpillRecord[];
}

interface FileMeta {
  points: number;
  readings: number;
  bytes: number;
}

export interface SpillDirOptions {
  maxBytes: number;
  maxPointsPerFile: number;
  nowMs: () => number;
  /** Told about lines that do not parse (a write torn by a crash); they are skipped. */
  onCorruptLine?: (file: string, line: string) => void;
}

const FILE_NAME = /^\d{15}-\d{6}\.jsonl$/;
const KIND_CODE = { reading: 'r', 'dead-letter': 'd' } as const;

/**
 * Points parked on local disk while the server is unreachable: append-only JSON-lines files,
 * each append fsync'd before write() may resolve, named so that name order is spill order.
 * Replay reads the oldest file whole and deletes it only after every point in it was
 * acknowledged (or dead-lettered). One process per directory.
 */
export class SpillDir {
  private readonly files = new Map<string, FileMeta>();
  private current: { name: string; handle: FileHandle } | null = null;
  private lock: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private totalBytes = 0;
  private totalReadings = 0;

  readonly dir: string;
  private readonly opts: SpillDirOptions;

  private constructor(dir: string, opts: SpillDirOptions) {
    this.dir = dir;
    this.opts = opts;
  }

  /** Opens (creating) the directory and takes stock of files an earlier process left. */
  static async open(dir: string, opts: SpillDirOptions): Promise<SpillDir> {
    const spill = new SpillDir(dir, opts);
    try {
      await mkdir(dir, { recursive: true });
      const names = (await readdir(dir)).filter((n) => FILE_NAME.test(n)).sort();
      for (const name of names) {
        const { records, bytes } = await spill.read(name, false);
        spill.track(name, { points: 0, readings: 0, bytes: 0 }, records, bytes);
      }
    } catch (err) {
      throw spillFailed(`cannot open spill directory ${dir}`, err);
    }
    return spill;
  }

  get readings(): number {
    return this.totalReadings;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  hasData(): boolean {
    return this.files.size > 0;
  }

  /** Durably appends; rejects with influx-spill-full or influx-spill-failed. */
  append(records: readonly SpillRecord[]): Promise<void> {
    return this.locked(async () => {
      const text = records
        .map((r) => `${JSON.stringify({ k: KIND_CODE[r.kind], l: r.line })}\n`)
        .join('');
      const bytes = Buffer.byteLength(text);
      if (this.totalBytes + bytes > this.opts.maxBytes) {
        throw new InfluxStoreError(
          'influx-spill-full',
          `${this.dir} holds ${this.totalBytes} bytes; ${records.length} more points (${bytes} bytes) would pass maxSpillBytes=${this.opts.maxBytes}`,
        );
      }
      try {
        const file = await this.writableFile();
        await file.handle.write(text);
        await file.handle.datasync();
        const meta = this.files.get(file.name) ?? { points: 0, readings: 0, bytes: 0 };
        this.track(file.name, meta, records, bytes);
      } catch (err) {
        // A torn append must not glue onto the next one: continue in a fresh file.
        await this.closeCurrent().catch(() => undefined);
        throw spillFailed(`cannot append ${records.length} points to ${this.dir}`, err);
      }
    });
  }

  /** The oldest file, closed for appending first if it is the one being written. */
  oldest(): Promise<SpillSegment | null> {
    return this.locked(async () => {
      const name = [...this.files.keys()].sort()[0];
      if (name === undefined) return null;
      if (this.current?.name === name) await this.closeCurrent();
      try {
        return { name, records: (await this.read(name, true)).records };
      } catch (err) {
        throw spillFailed(`cannot read spill file ${join(this.dir, name)}`, err);
      }
    });
  }

  /** Deletes a replayed file; its points are now in the server. */
  remove(name: string): Promise<void> {
    return this.locked(async () => {
      try {
        await unlink(join(this.dir, name));
        await this.syncDir();
      } catch (err) {
        throw spillFailed(`cannot delete replayed spill file ${join(this.dir, name)}`, err);
      }
      const meta = this.files.get(name);
      this.files.delete(name);
      this.totalBytes -= meta?.bytes ?? 0;
      this.totalReadings -= meta?.readings ?? 0;
    });
  }

  close(): Promise<void> {
    return this.locked(() => this.closeCurrent());
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.lock.then(fn);
    this.lock = result.catch(() => undefined);
    return result;
  }

  private track(
    name: string,
    meta: FileMeta,
    records: readonly SpillRecord[],
    bytes: number,
  ): void {
    const readings = records.filter((r) => r.kind === 'reading').length;
    this.files.set(name, {
      points: meta.points + records.length,
      readings: meta.readings + readings,
      bytes: meta.bytes + bytes,
    });
    this.totalBytes += bytes;
    this.totalReadings += readings;
  }

  private async writableFile(): Promise<{ name: string; handle: FileHandle }> {
    const full =
      this.current !== null &&
      (this.files.get(this.current.name)?.points ?? 0) >= this.opts.maxPointsPerFile;
    if (full) await this.closeCurrent();
    if (this.current !== null) return this.current;
    for (;;) {
      const name = `${String(this.opts.nowMs()).padStart(15, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}.jsonl`;
      try {
        const handle = await open(join(this.dir, name), 'wx');
        // The new directory entry must survive a crash too, not only the file's bytes.
        await this.syncDir();
        this.current = { name, handle };
        return this.current;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
      }
    }
  }

  private async closeCurrent(): Promise<void> {
    const current = this.current;
    this.current = null;
    await current?.handle.close();
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** `report`: tell onCorruptLine (once per file: when it is replayed, not when counted at open). */
  private async read(
    name: string,
    report: boolean,
  ): Promise<{ records: SpillRecord[]; bytes: number }> {
    const text = await readFile(join(this.dir, name), 'utf8');
    const records: SpillRecord[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const record = parseRecord(line);
      if (record === null) {
        if (report) this.opts.onCorruptLine?.(name, line);
      } else records.push(record);
    }
    return { records, bytes: Buffer.byteLength(text) };
  }
}

function parseRecord(line: string): SpillRecord | null {
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value !== 'object' || value === null) return null;
    const { k, l } = value as { k?: unknown; l?: unknown };
    if (typeof l !== 'string') return null;
    if (k === 'r') return { kind: 'reading', line: l };
    if (k === 'd') return { kind: 'dead-letter', line: l };
    return null;
  } catch {
    return null;
  }
}

function spillFailed(message: string, cause: unknown): InfluxStoreError {
  return new InfluxStoreError('influx-spill-failed', `${message}: ${describeError(cause)}`, {
    cause,
  });
}
