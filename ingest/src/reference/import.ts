import type { Reading } from '@airbox/contracts';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isOpenDataFile } from '@airbox/protocol';
import type { StreamWorker } from '../worker/stream-worker.ts';
import { parseReferenceCsv } from './csv.ts';
import { parseLassEpa } from './lass.ts';
import { isMoenvDocument, parseMoenvHourly } from './moenv.ts';
import { ReferenceFileError, type ParsedReference, type RecordProblem } from './problems.ts';
import { asIndex, type ReferenceStation, type StationIndex } from './stations.ts';

export const REFERENCE_FILE_FORMATS = ['auto', 'lass-epa', 'moenv', 'csv'] as const;
export type ReferenceFileFormat = (typeof REFERENCE_FILE_FORMATS)[number];

export interface ImportOptions {
  format?: ReferenceFileFormat;
  now?: () => number;
  /** Readings per `worker.ingest` call; bounds the write queue on big files. */
  chunkSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  file: string;
  format: Exclude<ReferenceFileFormat, 'auto'>;
  /** Readings the file yielded (records that parsed). */
  readings: number;
  /** Newly written to the store. */
  stored: number;
  /** Already stored (or repeated in the file): left as they were. */
  duplicates: number;
  /** Records refused; `problems` says which and why. */
  rejected: number;
  problems: RecordProblem[];
}

/**
 * Imports a file of reference readings through the worker (QC, de-dup, store; reference
 * readings are not recalibrated). A refused record is reported with its line or index and
 * the others are imported; a file that cannot be read, has no known shape, lacks a column
 * or has implausible units is refused whole (ReferenceFileError) before anything is
 * written. Stored readings are never replaced: the store keeps the first reading of each
 * (station, time), so re-importing a file, or an overlapping one, loses nothing.
 *
 * `stored`/`duplicates` are the store's own counts over this import, exact when the worker
 * serves this import alone (as `airbox reference import` does).
 */
export async function importReferenceFile(
  path: string,
  worker: StreamWorker,
  stations: readonly ReferenceStation[] | StationIndex,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const now = opts.now ?? Date.now;
  const text = await readText(path);
  const { format, parsed } = parseFile(path, text, asIndex(stations), opts.format ?? 'auto', now());
  const before = { ...worker.storeTotals };
  let seenTwice = 0;
  const chunk = opts.chunkSize ?? 5000;
  for (let i = 0; i < parsed.readings.length; i += chunk) {
    const outcome = await worker.ingest(parsed.readings.slice(i, i + chunk), now());
    if (outcome.status === 'stored') seenTwice += outcome.duplicates;
    opts.onProgress?.(Math.min(i + chunk, parsed.readings.length), parsed.readings.length);
  }
  const after = worker.storeTotals;
  return {
    file: path,
    format,
    readings: parsed.readings.length,
    stored: after.written - before.written,
    duplicates: seenTwice + after.duplicates - before.duplicates,
    rejected: parsed.problems.length,
    problems: parsed.problems,
  };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new ReferenceFileError(path, 'unreadable-file', (e as Error).message);
  }
}

function parseFile(
  path: string,
  text: string,
  index: StationIndex,
  wanted: ReferenceFileFormat,
  nowMs: number,
): { format: Exclude<ReferenceFileFormat, 'auto'>; parsed: ParsedReference<Reading> } {
  if (wanted === 'csv' || (wanted === 'auto' && extname(path).toLowerCase() === '.csv')) {
    return { format: 'csv', parsed: parseReferenceCsv(text, index, path) };
  }
  const json = parseJson(path, text, wanted);
  if (json === undefined) return { format: 'csv', parsed: parseReferenceCsv(text, index, path) };
  const format = wanted === 'auto' ? detectJson(path, json) : wanted;
  return format === 'lass-epa'
    ? { format, parsed: parseLassEpa(json, index, nowMs, path) }
    : { format: 'moenv', parsed: parseMoenvHourly(json, index, path) };
}

/** The parsed JSON; undefined when auto-detecting a text that is not JSON (maybe CSV). */
function parseJson(path: string, text: string, wanted: ReferenceFileFormat): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const first = text.trimStart()[0];
    if (wanted === 'auto' && first !== '{' && first !== '[') return undefined;
    throw new ReferenceFileError(
      path,
      'unreadable-file',
      `not valid JSON: ${(e as Error).message}`,
    );
  }
}

function detectJson(path: string, json: unknown): 'lass-epa' | 'moenv' {
  if (isOpenDataFile(json)) return 'lass-epa';
  if (isMoenvDocument(json)) return 'moenv';
  throw new ReferenceFileError(
    path,
    'unknown-format',
    'JSON that is neither a LASS archive ({"feeds": […]}) nor MOENV hourly data (an AQX array or {"records": […]}); pass --format to say which it is',
  );
}
