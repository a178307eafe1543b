/**
 * Where a day's files go under the archive root (`<data-dir>/archive`, served at /archive/):
 *
 *   v1/date=2026-11-27/manifest.json                       the current version's manifest
 *   v1/date=2026-11-27/version=2/airbox-2026-11-27.parquet the whole network, one file
 *   v1/date=2026-11-27/version=2/device=<id>/year=2026/month=11/<id>-20261127.csv.gz
 *
 * Each version is a folder of its own, so a day recalibrated later is written beside the
 * one readers may be downloading, and the manifest is switched to it at the end. The per-box
 * files follow OpenAQ's archive partitions (device, year, month). `v1` is the layout's version.
 */
export const LAYOUT_VERSION = 'v1';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` as the UTC day's [start, end) in epoch ms, or null if it is not a date. */
export function dayRange(day: string): { fromMs: number; toMs: number } | null {
  const m = DAY.exec(day);
  if (!m) return null;
  const fromMs = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(fromMs).toISOString().slice(0, 10) !== day) return null;
  return { fromMs, toMs: fromMs + 86_400_000 };
}

export function dayDir(day: string): string {
  return `${LAYOUT_VERSION}/date=${day}`;
}

export function versionDir(day: string, version: number): string {
  return `${dayDir(day)}/version=${version}`;
}

export function manifestPath(day: string): string {
  return `${dayDir(day)}/manifest.json`;
}

export function parquetName(day: string): string {
  return `airbox-${day}.parquet`;
}

/** A box's file of the day, relative to the version folder. */
export function boxCsvPath(deviceId: string, day: string): string {
  const [y, m, d] = day.split('-');
  return `device=${deviceId}/year=${y}/month=${m}/${deviceId}-${y}${m}${d}.csv.gz`;
}
