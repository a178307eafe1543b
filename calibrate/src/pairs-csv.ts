import type { Pair } from './types.ts';

/** The generic format's columns (README, "Generic CSV"), in the order the reader documents. */
export const GENERIC_HEADER = ['site', 'time', 'raw_pm25', 'rh', 'temperature_c', 'ref_pm25'];

/** RFC 4180: quote a cell holding a comma or a quote, doubling the quotes. */
function cell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Pairs as a generic-format CSV that `readPairFile` reads back. `station` is an extra
 * column (readers ignore extra columns) saying which reference each pair was made with.
 */
export function pairsToCsv(pairs: readonly (Pair & { station?: string | null })[]): string {
  const header = [...GENERIC_HEADER, 'station'].join(',');
  const lines = pairs.map((p) =>
    [p.site, p.time, p.rawPm25UgM3, p.rhPct, p.temperatureC, p.refPm25UgM3, p.station ?? null]
      .map(cell)
      .join(','),
  );
  return [header, ...lines].join('\n') + '\n';
}
