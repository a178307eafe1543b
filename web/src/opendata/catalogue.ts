import { DEFAULT_APP } from './lass-feed.ts';
import { attribution, type OpenDataTerms } from './terms.ts';

/**
 * The data set described for harvesters: DCAT-AP (what CKAN and data.gov.tw read) and
 * schema.org `Dataset` (what search engines' dataset search reads). Both list the same
 * distributions, each with its licence.
 */

const TITLE = {
  en: 'AirBox network: PM2.5, temperature and humidity from low-cost sensors',
  'zh-TW': 'AirBox 空氣盒子網路：低成本感測器的 PM2.5、溫度與濕度',
};
const DESCRIPTION = {
  en: 'Readings of the AirBox network’s public boxes in Taiwan, as measured and as calibrated against government reference stations (model id per value), with quality flags. Live newest readings in the LASS open-data shape, and any time range through the API as CSV or JSON.',
  'zh-TW':
    '台灣 AirBox 網路公開盒子的量測值，原始值與依環境部測站校正後的值（每筆附校正模型），含品質旗標。最新資料以 LASS 開放資料格式提供，任何時段可由 API 以 CSV 或 JSON 下載。',
};
const KEYWORDS = [
  'PM2.5',
  'air quality',
  'low-cost sensor',
  'AirBox',
  'LASS',
  'Taiwan',
  '空氣品質',
  '細懸浮微粒',
];
/** Taiwan with Kinmen and Matsu, as the bundled map: W S E N. */
const BBOX = [118.2, 21.9, 122.01, 26.28] as const;

interface Distribution {
  path: string;
  title: string;
  mediaType: string;
  format: string;
}

function distributions(): Distribution[] {
  return [
    {
      path: `/opendata/last-all-${DEFAULT_APP.toLowerCase()}.json`,
      title: 'Newest reading of each public box (LASS last-all format)',
      mediaType: 'application/json',
      format: 'JSON',
    },
    {
      path: '/api/v1/openapi.json',
      title: 'The API, described (OpenAPI 3)',
      mediaType: 'application/vnd.oai.openapi+json',
      format: 'JSON',
    },
  ];
}

const lang = (text: Record<string, string>) =>
  Object.entries(text).map(([l, v]) => ({ '@value': v, '@language': l }));

export function dcatCatalogue(base: string, terms: OpenDataTerms): Record<string, unknown> {
  const license = { '@id': terms.license.url };
  const publisher = { '@type': 'foaf:Agent', 'foaf:name': terms.publisher };
  return {
    '@context': {
      dcat: 'http://www.w3.org/ns/dcat#',
      dct: 'http://purl.org/dc/terms/',
      foaf: 'http://xmlns.com/foaf/0.1/',
      locn: 'http://www.w3.org/ns/locn#',
    },
    '@id': `${base}/opendata/dcat.jsonld`,
    '@type': 'dcat:Catalog',
    'dct:title': lang({ en: 'AirBox network open data', 'zh-TW': 'AirBox 網路開放資料' }),
    'dct:description': lang(DESCRIPTION),
    'dct:publisher': publisher,
    'dct:license': license,
    'foaf:homepage': { '@id': `${base}/download` },
    // Any boxes and time range, CSV or JSON: an API, which DCAT describes as a data service.
    'dcat:service': [
      {
        '@type': 'dcat:DataService',
        'dct:title': 'AirBox API: readings of any boxes and time range as CSV or JSON',
        'dcat:endpointURL': { '@id': `${base}/api/v1/` },
        'dcat:endpointDescription': { '@id': `${base}/api/v1/openapi.json` },
        'dcat:servesDataset': { '@id': `${base}/opendata/dataset` },
        'dct:license': license,
      },
    ],
    'dcat:dataset': [
      {
        '@id': `${base}/opendata/dataset`,
        '@type': 'dcat:Dataset',
        'dct:identifier': `${base}/opendata/dataset`,
        'dct:title': lang(TITLE),
        'dct:description': lang(DESCRIPTION),
        'dcat:keyword': KEYWORDS,
        'dcat:theme': { '@id': 'http://publications.europa.eu/resource/authority/data-theme/ENVI' },
        'dct:accrualPeriodicity': {
          '@id': 'http://publications.europa.eu/resource/authority/frequency/CONT',
        },
        'dct:spatial': {
          '@type': 'dct:Location',
          'dcat:bbox': `POLYGON((${BBOX[0]} ${BBOX[1]},${BBOX[2]} ${BBOX[1]},${BBOX[2]} ${BBOX[3]},${BBOX[0]} ${BBOX[3]},${BBOX[0]} ${BBOX[1]}))`,
        },
        'dct:publisher': publisher,
        'dct:license': license,
        'dct:rights': attribution(terms, base),
        'dcat:landingPage': { '@id': `${base}/download` },
        'dcat:distribution': distributions().map((d) => ({
          '@type': 'dcat:Distribution',
          'dct:title': d.title,
          'dcat:accessURL': { '@id': `${base}${d.path}` },
          'dcat:mediaType': d.mediaType,
          'dct:format': d.format,
          'dct:license': license,
        })),
      },
    ],
  };
}

export function schemaOrgDataset(base: string, terms: OpenDataTerms): Record<string, unknown> {
  return {
    '@context': 'https://schema.org/',
    '@type': 'Dataset',
    '@id': `${base}/opendata/dataset`,
    name: TITLE.en,
    alternateName: TITLE['zh-TW'],
    description: DESCRIPTION.en,
    url: `${base}/download`,
    keywords: KEYWORDS,
    license: terms.license.url,
    isAccessibleForFree: true,
    creditText: attribution(terms, base),
    publisher: { '@type': 'Organization', name: terms.publisher },
    creator: { '@type': 'Organization', name: terms.publisher },
    spatialCoverage: {
      '@type': 'Place',
      name: 'Taiwan',
      geo: { '@type': 'GeoShape', box: `${BBOX[1]} ${BBOX[0]} ${BBOX[3]} ${BBOX[2]}` },
    },
    variableMeasured: [
      'PM2.5 (µg/m³)',
      'PM10 (µg/m³)',
      'PM1 (µg/m³)',
      'temperature (°C)',
      'relative humidity (%)',
    ],
    distribution: distributions().map((d) => ({
      '@type': 'DataDownload',
      name: d.title,
      contentUrl: `${base}${d.path}`,
      encodingFormat: d.mediaType,
    })),
  };
}
