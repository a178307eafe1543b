import type { StoredReading } from '@airbox/contracts';

/**
 * A weak validator of a set of newest readings: the newest arrival time and how many there
 * are. Any new reading that replaces a device's newest one arrives later than every reading
 * already there, so the tag changes whenever the answer does (RFC 9110 §8.8.1: a weak tag
 * promises an equivalent representation, not identical bytes).
 */
export function latestEtag(readings: readonly StoredReading[]): string {
  let newestMs = 0;
  for (const r of readings) newestMs = Math.max(newestMs, Date.parse(r.receivedAt));
  return `W/"${newestMs.toString(36)}-${readings.length}"`;
}

/**
 * Does an If-None-Match header match the tag? RFC 9110 §13.1.2: a list of entity tags or
 * `*`, compared weakly (the `W/` prefix is ignored on both sides).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}
