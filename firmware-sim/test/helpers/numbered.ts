/** A reading that says its own position in the stream, for the buffer tests. */
export interface Numbered {
  i: number;
  time: string;
  pm25UgM3: number;
  /** Makes each line ~1 KB, so a kill often lands inside a write. */
  pad: string;
}

const START_MS = Date.UTC(2026, 10, 27, 0, 0, 0);

export function numbered(i: number): Numbered {
  return {
    i,
    time: new Date(START_MS + i * 60_000).toISOString(),
    pm25UgM3: i % 97,
    pad: 'x'.repeat(1000),
  };
}

export function decodeNumbered(json: unknown): Numbered | null {
  if (typeof json !== 'object' || json === null) return null;
  const { i, time, pm25UgM3, pad } = json as Record<string, unknown>;
  return typeof i === 'number' &&
    typeof time === 'string' &&
    typeof pm25UgM3 === 'number' &&
    typeof pad === 'string'
    ? { i, time, pm25UgM3, pad }
    : null;
}
