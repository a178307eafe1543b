import type { FlagCode } from './flags.ts';
import type { MeasureValues } from './measures.ts';

/** Wire formats a reading can come from; `format` in every normalized reading. */
export const FORMATS = [
  'lass-v0',
  'lass-v1',
  'lass-v2',
  'lass-v3',
  'lass-opendata',
  'native-v1',
  /** MOENV (Taiwan EPA) hourly open data: the AQX array or the v2 `aqx_p_432` records. */
  'moenv-aqx',
  /** Reference values imported from a CSV file (`airbox reference import`). */
  'reference-csv',
] as const;
export type FormatId = (typeof FORMATS)[number];

/**
 * The one normalized reading, whatever came over the wire (DESIGN.md, "Readings").
 * Units are in the names; every measurement is null where the device did not report it.
 * Raw values are never overwritten: calibration adds `pm25CalibratedUgM3` beside them.
 */
export type Reading = ReadingBase & MeasureValues;

/** What every reading has besides its measures (MEASURES, measures.ts). */
export interface ReadingBase {
  deviceId: string;
  /** ISO 8601 UTC. Null only when the device clock is invalid and no receive time is known. */
  time: string | null;
  /** What the device claimed, when it is not trusted as `time` (see flag `clock-invalid`). */
  deviceTime?: string;
  lat: number | null;
  lon: number | null;
  format: FormatId;
  app: string | null;
  firmware: string | null;
  flags: FlagCode[];
  /** `reference` for government stations (e.g. LASS `EPA_COPY` records). */
  kind: 'box' | 'reference';
  pm25CalibratedUgM3?: number | null;
  calibrationModel?: string | null;
}

/** A reading as stored: it has a time, and we know when it arrived. */
export interface StoredReading extends Reading {
  time: string;
  /** When the broker received it (ISO 8601 UTC). */
  receivedAt: string;
}
