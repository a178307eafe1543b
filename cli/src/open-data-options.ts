import {
  DATA_LICENSES,
  DEFAULT_OPEN_DATA_TERMS,
  isDataLicenseId,
  type OpenDataTerms,
} from '@airbox/web';
import { UsageError } from './io.ts';

/** The licence the network's data is published under, and who publishes it. */
export const OPEN_DATA_OPTIONS = {
  'data-license': { type: 'string' },
  'data-publisher': { type: 'string' },
} as const;

const IDS = Object.keys(DATA_LICENSES).join(' or ');

export const OPEN_DATA_USAGE = `Open data:
  --data-license ID        the licence of the network's data: ${IDS} (default
                           ${DEFAULT_OPEN_DATA_TERMS.license.id}); named in a Link header on every data answer, in the
                           feeds and in /opendata/dcat.jsonld
  --data-publisher NAME    who publishes it, for attribution (default "${DEFAULT_OPEN_DATA_TERMS.publisher}")`;

export function openDataTerms(v: {
  'data-license'?: string;
  'data-publisher'?: string;
}): OpenDataTerms {
  const id = v['data-license'] ?? DEFAULT_OPEN_DATA_TERMS.license.id;
  if (!isDataLicenseId(id)) {
    throw new UsageError(`--data-license must be ${IDS}, got '${id}'`);
  }
  const publisher = v['data-publisher']?.trim() ?? DEFAULT_OPEN_DATA_TERMS.publisher;
  if (publisher === '') throw new UsageError('--data-publisher must name someone');
  return { license: DATA_LICENSES[id], publisher };
}
