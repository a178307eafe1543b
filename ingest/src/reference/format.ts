/** The `format` of readings from each reference source (`@airbox/protocol` FORMATS). */
export const REFERENCE_FORMATS = {
  moenv: 'moenv-aqx',
  csv: 'reference-csv',
} as const;

/** `app` of reference readings: which feed or file shape they came from. */
export const REFERENCE_APPS = {
  moenv: 'MOENV',
  csv: 'reference-csv',
} as const;
