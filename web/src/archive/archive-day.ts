import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CodedError } from '@airbox/contracts';
import type { ReadingStore } from '@airbox/store';
import { READING_COLUMNS, readingCsvLine } from '../csv.ts';
import { attribution, type OpenDataTerms } from '../opendata/terms.ts';
import { lockDay, type DayLock } from './day-lock.ts';
import {
  boxCsvPath,
  dayDir,
  LAYOUT_VERSION,
  dayRange,
  manifestPath,
  parquetName,
  versionDir,
} from './layout.ts';
import { licenseOf, readManifest, type ArchiveFile, type DayManifest } from './manifest.ts';
import { PARQUET_COLUMNS, writeParquet } from './parquet.ts';

export interface ArchiveDayOptions {
  /** The store as the public sees it (no private box; positions as on the map). */
  store: ReadingStore;
  /** The archive root, e.g. <data-dir>/archive. */
  root: string;
  day: string;
  terms: OpenDataTerms;
  /** Where the archive is served, for the attribution line. */
  baseUrl: string;
  now?: () => number;
  onProgress?: (p: { day: string; devices: number; of: number; rows: number }) => void;
  /** How long to wait for another process writing the same day. Default 30 minutes. */
  lockWaitMs?: number;
}

export interface ArchiveDayResult {
  day: string;
  version: number;
  /** False when the day's data was already archived as it is: nothing was written. */
  changed: boolean;
  rows: number;
  devices: number;
}

export class ArchiveError extends CodedError<'invalid-day'> {}

/**
 * Archives one UTC day: a csv.gz per box (the API's CSV columns), one Parquet file for the
 * network, and a manifest with checksums. Idempotent (the same data gives no new version),
 * re-runnable after a crash (a run cut short leaves only `version=N.partial`, which no
 * manifest names and the next run replaces), and safe while serve runs (it only reads the
 * store; readers see the old manifest until the new one is renamed into place). Memory: one box-day at a time, and
 * DuckDB under its own limit.
 */
export async function archiveDay(o: ArchiveDayOptions): Promise<ArchiveDayResult> {
  if (dayRange(o.day) === null) {
    throw new ArchiveError('invalid-day', `--day must be a date YYYY-MM-DD, got '${o.day}'`);
  }
  // Waits for another writer of the day (serve's daily run, or a second 'airbox archive').
  const lock = await lockDay(join(o.root, dayDir(o.day), '.lock'), o.lockWaitMs ?? 30 * 60_000);
  try {
    return await archiveLockedDay(o, lock);
  } finally {
    await lock.release();
  }
}

async function archiveLockedDay(o: ArchiveDayOptions, lock: DayLock): Promise<ArchiveDayResult> {
  const range = dayRange(o.day);
  if (range === null)
    throw new ArchiveError('invalid-day', `--day must be a date YYYY-MM-DD, got '${o.day}'`);
  const now = o.now ?? Date.now;
  const current = await readManifest(join(o.root, manifestPath(o.day)));
  const version = (current?.version ?? 0) + 1;
  // What a run cut short left is started over: the store may have more of the day by now.
  const partial = join(o.root, `${versionDir(o.day, version)}.partial`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });

  const boxes = await writeBoxFiles(o, range, partial, lock);
  const dataSha256 = boxes.dataHash;
  // A day without a reading is not archived (a new server's past week); an archived day
  // whose data is as it was is left as it is.
  if ((current === null && boxes.rows === 0) || current?.dataSha256 === dataSha256) {
    await rm(partial, { recursive: true, force: true });
    return {
      day: o.day,
      version: current?.version ?? 0,
      changed: false,
      rows: current?.rows ?? 0,
      devices: current?.devices ?? 0,
    };
  }
  const parquet = join(partial, parquetName(o.day));
  const parquetRows = await writeParquet(boxes.dayCsv, parquet, join(partial, '.duckdb-spill'));
  await rm(join(partial, '.duckdb-spill'), { recursive: true, force: true });
  await rm(boxes.dayCsv, { force: true });
  if (parquetRows !== boxes.rows) {
    throw new Error(
      `archive ${o.day}: Parquet has ${parquetRows} rows, the CSV files ${boxes.rows}`,
    );
  }
  const final = join(o.root, versionDir(o.day, version));
  await rm(final, { recursive: true, force: true });
  await rename(partial, final);
  const prefix = versionDir(o.day, version);
  const files: ArchiveFile[] = [
    await describe(final, prefix, parquetName(o.day), 'parquet', null, parquetRows),
    ...boxes.files.map((f) => ({ ...f, path: `${prefix}/${f.path}` })),
  ];
  const manifest: DayManifest = {
    schemaVersion: 1,
    day: o.day,
    version,
    createdAt: new Date(now()).toISOString(),
    dataSha256,
    rows: boxes.rows,
    devices: boxes.files.length,
    license: licenseOf(o.terms),
    attribution: attribution(o.terms, o.baseUrl),
    calibrationModels: [...boxes.models].sort(),
    columns: PARQUET_COLUMNS,
    files,
    previous:
      current === null
        ? []
        : [
            {
              version: current.version,
              createdAt: current.createdAt,
              dataSha256: current.dataSha256,
            },
            ...current.previous,
          ],
  };
  const path = join(o.root, manifestPath(o.day));
  await writeFile(`${path}.tmp`, JSON.stringify(manifest, null, 2) + '\n');
  await rename(`${path}.tmp`, path);
  return { day: o.day, version, changed: true, rows: boxes.rows, devices: boxes.files.length };
}

interface BoxFiles {
  files: ArchiveFile[];
  /** The whole day's rows in one plain CSV, for DuckDB (deleted once the Parquet is written). */
  dayCsv: string;
  rows: number;
  models: Set<string>;
  dataHash: string;
}

/**
 * Each box's day as csv.gz, in device order, the hash of their text together, and the same
 * rows in one plain CSV: DuckDB reads one file four times faster than thousands of small ones.
 */
async function writeBoxFiles(
  o: ArchiveDayOptions,
  range: { fromMs: number; toMs: number },
  partial: string,
  lock: DayLock,
): Promise<BoxFiles> {
  const deviceIds = (await o.store.latest({ kind: 'box' })).map((r) => r.deviceId).sort();
  const header = READING_COLUMNS.join(',') + '\r\n';
  const data = createHash('sha256');
  const dayCsv = join(partial, 'day.csv');
  const day = createWriteStream(dayCsv);
  const append = (text: string): Promise<void> =>
    day.write(text) ? Promise.resolve() : new Promise((r) => day.once('drain', () => r()));
  await append(header);
  const out: BoxFiles = { files: [], dayCsv, rows: 0, models: new Set(), dataHash: '' };
  for (const [i, deviceId] of deviceIds.entries()) {
    const readings = await o.store.series({ deviceIds: [deviceId], ...range });
    if (readings.length > 0) {
      const lines = readings.map(readingCsvLine).join('');
      const text = header + lines;
      await append(lines);
      data.update(text);
      for (const r of readings) if (r.calibrationModel) out.models.add(r.calibrationModel);
      const path = boxCsvPath(deviceId, o.day);
      const file = join(partial, path);
      const bytes = gzipSync(text);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
      out.files.push({
        path,
        kind: 'csv.gz',
        deviceId,
        rows: readings.length,
        bytes: bytes.length,
        sha256: sha256(bytes),
      });
      out.rows += readings.length;
    }
    o.onProgress?.({ day: o.day, devices: i + 1, of: deviceIds.length, rows: out.rows });
    if (i % 500 === 499) await lock.touch();
  }
  await new Promise((resolve, reject) =>
    day.end((e?: Error | null) => (e ? reject(e) : resolve(null))),
  );
  out.dataHash = data.digest('hex');
  return out;
}

async function describe(
  dir: string,
  prefix: string,
  name: string,
  kind: ArchiveFile['kind'],
  deviceId: string | null,
  rows: number,
): Promise<ArchiveFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return {
    path: `${prefix}/${name}`,
    kind,
    deviceId,
    rows,
    bytes: (await stat(path)).size,
    sha256: hash.digest('hex'),
  };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The days archived (those with a manifest), newest first. */
export async function archivedDays(root: string): Promise<string[]> {
  const entries = await readdir(join(root, LAYOUT_VERSION)).catch(() => [] as string[]);
  const days = entries
    .map((e) => /^date=(\d{4}-\d{2}-\d{2})$/.exec(e)?.[1])
    .filter((d): d is string => d !== undefined);
  const archived = await Promise.all(
    days.map(async (d) => ((await exists(join(root, manifestPath(d)))) ? d : null)),
  );
  return archived
    .filter((d): d is string => d !== null)
    .sort()
    .reverse();
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
