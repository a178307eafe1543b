/**
 * The terms the network's data is published under: one licence for the whole network, set
 * by the operator (`airbox serve --data-license`), and who publishes it. Every data answer
 * names the licence (a `Link: <…>; rel="license"` header, RFC 8288 with the IANA relation),
 * the feeds and catalogues carry it in their bodies.
 */
export const DATA_LICENSES = {
  'CC-BY-4.0': {
    id: 'CC-BY-4.0',
    name: 'Creative Commons Attribution 4.0 International',
    url: 'https://creativecommons.org/licenses/by/4.0/',
  },
  'ODbL-1.0': {
    id: 'ODbL-1.0',
    name: 'Open Data Commons Open Database License 1.0',
    url: 'https://opendatacommons.org/licenses/odbl/1-0/',
  },
} as const;

export type DataLicenseId = keyof typeof DATA_LICENSES;
export type DataLicense = (typeof DATA_LICENSES)[DataLicenseId];

export interface OpenDataTerms {
  license: DataLicense;
  /** Who publishes the data set, named in attribution and catalogues. */
  publisher: string;
}

export const DEFAULT_OPEN_DATA_TERMS: OpenDataTerms = {
  license: DATA_LICENSES['CC-BY-4.0'],
  publisher: 'AirBox network contributors',
};

export function isDataLicenseId(id: string): id is DataLicenseId {
  return Object.hasOwn(DATA_LICENSES, id);
}

/** The attribution line CC BY asks for, naming the publisher, the licence and where the data is. */
export function attribution(terms: OpenDataTerms, baseUrl: string): string {
  return `${terms.publisher}, ${baseUrl}/ (${terms.license.id})`;
}

/** Answers that carry data: the API's, the open-data feeds and catalogues. */
export function carriesData(url: string): boolean {
  return url.startsWith('/api/v1/') || url.startsWith('/opendata/');
}
