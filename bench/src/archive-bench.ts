/**
 * `airbox bench archive`: a day of minute readings of many boxes in SQLite (15,000 boxes:
 * 21.6 M rows), archived by `airbox archive --day` in a process of its own; its duration and
 * peak RSS (sampled from /proc every 100 ms: DuckDB's native memory counts), and the files
 * it wrote. Targets: under 5 minutes, peak RSS under 1 GB.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '@airbox/store';
import { fill, T0 } from './api-fill.ts';
import { sampleProcess } from './proc.ts';

export const ARCHIVE_TARGETS = { boxes: 15_000, seconds: 300, peakRssBytes: 1_000_000_000 };
const MINUTES_A_DAY = 1440;

export interface ArchiveBenchResult {
  boxes: number;
  rows: number;
  fillSeconds: number;
  archiveSeconds: number;
  peakRssBytes: number;
  parquetBytes: number;
  csvGzBytes: number;
  files: number;
  targets: typeof ARCHIVE_TARGETS;
  met: { seconds: boolean; peakRss: boolean };
}

export async function runArchiveBench(o: {
  airbox: string[];
  boxes: number;
  progress: (line: string) => void;
}): Promise<ArchiveBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'airbox-bench-archive-'));
  try {
    const store = openSqliteStore({ path: join(dataDir, 'readings.db') });
    const rows = o.boxes * MINUTES_A_DAY;
    const fillSeconds = await fill(store, rows, MINUTES_A_DAY, o.progress);
    await store.close();
    const day = new Date(T0).toISOString().slice(0, 10);
    o.progress(
      `archiving ${day}: ${o.boxes.toLocaleString('en-US')} boxes, ${rows.toLocaleString('en-US')} rows…`,
    );
    const run = await timedArchive(o.airbox, dataDir, day, o.progress);
    const manifest = JSON.parse(
      readFileSync(join(dataDir, `archive/v1/date=${day}/manifest.json`), 'utf8'),
    ) as { rows: number; files: { kind: string; bytes: number }[] };
    if (manifest.rows !== rows)
      throw new Error(`the archive has ${manifest.rows} rows, the store ${rows}`);
    const bytes = (kind: string) =>
      manifest.files.filter((f) => f.kind === kind).reduce((a, f) => a + f.bytes, 0);
    return {
      boxes: o.boxes,
      rows,
      fillSeconds: Math.round(fillSeconds),
      archiveSeconds: Math.round(run.seconds * 10) / 10,
      peakRssBytes: run.peakRssBytes,
      parquetBytes: bytes('parquet'),
      csvGzBytes: bytes('csv.gz'),
      files: manifest.files.length,
      targets: ARCHIVE_TARGETS,
      met: {
        seconds: run.seconds < ARCHIVE_TARGETS.seconds,
        peakRss: run.peakRssBytes < ARCHIVE_TARGETS.peakRssBytes,
      },
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function timedArchive(
  airbox: string[],
  dataDir: string,
  day: string,
  progress: (line: string) => void,
): Promise<{ seconds: number; peakRssBytes: number }> {
  const [file, ...args] = airbox;
  const started = performance.now();
  const child = spawn(file!, [...args, 'archive', '--day', day, '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, sampleProcess(child.pid!).peakRssBytes);
    } catch {
      // Exited between two samples.
    }
  }, 100);
  let lastLine = '';
  child.stderr.on('data', (c: Buffer) => {
    lastLine = c.toString().trim().split('\n').pop() ?? lastLine;
  });
  const progressTimer = setInterval(() => progress(lastLine), 10_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(timer);
  clearInterval(progressTimer);
  if (code !== 0) throw new Error(`airbox archive exited with ${code}: ${lastLine}`);
  return { seconds: (performance.now() - started) / 1000, peakRssBytes: peak };
}

export function describeArchive(r: ArchiveBenchResult): string {
  const mb = (b: number) => `${Math.round(b / 1e6)} MB`;
  const ok = (met: boolean) => (met ? 'met' : 'NOT met');
  return [
    `archive: ${r.boxes.toLocaleString('en-US')} boxes × 1,440 minute readings = ${r.rows.toLocaleString('en-US')} rows (store filled in ${r.fillSeconds} s)`,
    `  airbox archive --day: ${r.archiveSeconds} s (target < ${r.targets.seconds} s: ${ok(r.met.seconds)}), peak RSS ${mb(r.peakRssBytes)} (target < ${mb(r.targets.peakRssBytes)}: ${ok(r.met.peakRss)})`,
    `  wrote ${r.files.toLocaleString('en-US')} files: Parquet ${mb(r.parquetBytes)}, csv.gz ${mb(r.csvGzBytes)} together`,
  ].join('\n');
}
