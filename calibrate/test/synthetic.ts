import type { Pair } from '../src/index.ts';

/**
 * Deterministic co-location tables with known answers. The generators are arithmetic
 * sequences, not random draws, so a failing case reproduces exactly.
 */
export function pairsFrom(
  rows: readonly (readonly [raw: number, ref: number, rh?: number, t?: number])[],
  site = 'A',
): Pair[] {
  return rows.map(([raw, ref, rh, t], i) => ({
    site,
    time: `2026-01-${String(i + 1).padStart(2, '0')}`,
    rawPm25UgM3: raw,
    refPm25UgM3: ref,
    rhPct: rh ?? null,
    temperatureC: t ?? null,
  }));
}

/** Varied raw, RH and temperature (not collinear) at `days` days per site. */
export function conditions(sites: readonly string[], days: number) {
  return sites.flatMap((site, s) =>
    Array.from({ length: days }, (_, d) => ({
      site,
      time: `2026-03-${String(d + 1).padStart(2, '0')}`,
      rawPm25UgM3: 5 + ((d * 7 + s * 3) % 20) * 1.5,
      rhPct: 30 + ((d * 11 + s * 5) % 50),
      temperatureC: 10 + ((d * 13 + s) % 17),
    })),
  );
}

/** The conditions with a reference made by `truth`. */
export function withReference(
  rows: ReturnType<typeof conditions>,
  truth: (r: (typeof rows)[number], i: number) => number,
): Pair[] {
  return rows.map((r, i) => ({ ...r, refPm25UgM3: truth(r, i) }));
}

/** A generic-format CSV of pairs. */
export function genericCsv(pairs: readonly Pair[]): string {
  const cell = (v: number | null) => (v === null ? '' : String(v));
  const lines = pairs.map((p) =>
    [p.site, p.time, p.rawPm25UgM3, cell(p.rhPct), cell(p.temperatureC), p.refPm25UgM3].join(','),
  );
  return ['site,time,raw_pm25,rh,temperature_c,ref_pm25', ...lines].join('\n') + '\n';
}
