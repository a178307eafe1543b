import type { ConcentrationStep } from './types.ts';

/**
 * A concentration in whole tenths of a µg/m³, reduced as the agency specifies.
 *
 * Readings are decimals written in binary floating point, so 15.45 is stored as
 * 15.4499999…; multiplying by 10 and cutting at 12 significant digits first keeps that
 * representation error from moving a value across a 0.1 step.
 */
export function toTenths(valueUgM3: number, step: ConcentrationStep): number {
  const scaled = Number((valueUgM3 * 10).toPrecision(12));
  return step.method === 'truncate' ? Math.floor(scaled) : Math.round(scaled);
}

/** Tenths of a µg/m³ for a breakpoint written in the table with one decimal. */
export function breakpointTenths(breakpointUgM3: number): number {
  return Math.round(breakpointUgM3 * 10);
}
