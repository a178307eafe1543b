import { readFile } from 'node:fs/promises';
import type { OpenDataTerms } from '../opendata/terms.ts';

/** One file of a day, as the manifest lists it: its path under /archive/, rows and checksum. */
export interface ArchiveFile {
  path: string;
  kind: 'parquet' | 'csv.gz';
  deviceId: string | null;
  rows: number;
  bytes: number;
  sha256: string;
}

/** What a day's manifest.json says. */
export interface DayManifest {
  schemaVersion: 1;
  day: string;
  /** 1 for the first write; one more each time the day's data changed (a recalibration). */
  version: number;
  createdAt: string;
  /** SHA-256 of the day's rows as CSV text: equal when the data is, whatever the compression. */
  dataSha256: string;
  rows: number;
  devices: number;
  license: { id: string; name: string; url: string };
  attribution: string;
  /** The calibration models that made the day's calibrated values. */
  calibrationModels: string[];
  /** The Parquet file's columns, in order, with their types. */
  columns: { name: string; type: string }[];
  files: ArchiveFile[];
  /** The versions written before, newest first (their folders are kept). */
  previous: { version: number; createdAt: string; dataSha256: string }[];
}

export async function readManifest(path: string): Promise<DayManifest | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as DayManifest;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function licenseOf(terms: OpenDataTerms): DayManifest['license'] {
  const { id, name, url } = terms.license;
  return { id, name, url };
}
