import { CodedError } from '@airbox/contracts';

/**
 * What can be wrong with a reference record or file, as stable codes with what to do
 * (STYLE: errors carry a code, the cause and the next step).
 */
export const REFERENCE_PROBLEMS = {
  'unknown-station':
    'The station is in neither the bundled registry nor the site list given; check the name or extend the registry (stationsFromSiteList).',
  'station-mismatch':
    'The site id and the station name point to different stations; the record is not trusted.',
  'invalid-time': 'The time is missing or not a date and hour this source uses.',
  'invalid-value': 'A concentration is negative or not a number.',
  'not-a-record': 'The record is not an object with the fields this source uses.',
  'not-reference': 'A LASS record that is not a government station (app is not EPA_COPY).',
  'decode-failed': 'The protocol decoder refused the record; the message says why.',
  'missing-column': 'A CSV column the format needs is not in the header.',
  'unit-suspect':
    'The median concentration is over 1000 µg/m³: mg/µg confusion or the wrong column. Nothing was imported.',
  'unknown-format':
    'The file is none of LASS last-all-epa.json, MOENV/AQX JSON or the reference CSV.',
  'unreadable-file': 'The file cannot be read, or is not valid JSON where JSON was expected.',
} as const;
export type ReferenceProblemCode = keyof typeof REFERENCE_PROBLEMS;

/** One record that could not become a reading; the others are unaffected. */
export interface RecordProblem {
  code: ReferenceProblemCode;
  /** Where: `records[3]`, `line 7` — with the source name in `message`. */
  where: string;
  /** Names the source, the place and the problem. */
  message: string;
}

export function problem(
  source: string,
  where: string,
  code: ReferenceProblemCode,
  text: string,
): RecordProblem {
  return { code, where, message: `${source} ${where}: ${text}` };
}

/** A whole file refused (nothing from it is stored): unreadable, unknown shape, units off. */
export class ReferenceFileError extends CodedError<ReferenceProblemCode> {
  readonly file: string;

  constructor(file: string, code: ReferenceProblemCode, message: string) {
    super(code, `${file}: ${message}`);
    this.file = file;
  }
}

/** What a parser makes of one document: the readings, and every record it could not use. */
export interface ParsedReference<R> {
  readings: R[];
  problems: RecordProblem[];
}
