import type { Reading } from '@airbox/contracts';
import { z } from 'zod';
import { REFERENCE_APPS, REFERENCE_FORMATS } from './format.ts';
import {
  problem,
  ReferenceFileError,
  type ParsedReference,
  type RecordProblem,
} from './problems.ts';
import { parseTaipeiHour, stationReading } from './reading.ts';
import { asIndex, normalizeZhName, type ReferenceStation, type StationIndex } from './stations.ts';

/**
 * MOENV (formerly EPA) hourly air-quality open data, in its two JSON shapes:
 *
 * - the old EPA AQX download (opendata.epa.gov.tw AQX, 2017): a bare array of records
 *   `{ SiteName, County, "PM2.5", PM10, PublishTime: "2017-07-15 14:00", … }`;
 * - the MOENV API v2 dataset `aqx_p_432` (https://data.moenv.gov.tw/api/v2/aqx_p_432,
 *   OpenAPI at https://data.moenv.gov.tw/swagger/; fields listed at
 *   https://data.gov.tw/en/datasets/40448, Open Government Data License 1.0): an envelope
 *   `{ fields, resource_id, total, limit, offset, _links, records: [ { sitename, county,
 *   "pm2.5", pm10, publishtime: "2024/05/01 14:00:00", siteid, longitude, latitude, … } ] }`.
 *   The v1 API of the same dataset wrote the keys capitalised (`SiteName`, `PM2.5`).
 *
 * Every value is a string, `""` where the station had none. Keys are compared without
 * case, so all of these read alike.
 */
const DocumentSchema = z.union([
  z.array(z.unknown()),
  z.looseObject({ records: z.array(z.unknown()) }),
]);

const RecordSchema = z.record(z.string(), z.unknown());

export type MoenvShape = 'aqx' | 'aqx_p_432';

/** Is this parsed JSON a MOENV/AQX hourly document (and not, say, a LASS archive)? */
export function isMoenvDocument(json: unknown): boolean {
  if (Array.isArray(json)) {
    const first = RecordSchema.safeParse(json[0]);
    return first.success && Object.keys(lowerKeys(first.data)).includes('publishtime');
  }
  return DocumentSchema.safeParse(json).success;
}

/**
 * Turns one MOENV/AQX document into reference readings: one per record, at the registry
 * position of its station and the start of its hour (UTC). A record whose station is not
 * in the registry, or whose time is not a time, is reported in `problems` and the others
 * are still read. Missing or non-numeric concentrations keep the reading, flagged.
 * Throws ReferenceFileError only when the document is neither shape.
 */
export function parseMoenvHourly(
  json: unknown,
  stations: readonly ReferenceStation[] | StationIndex,
  source = 'MOENV hourly data',
): ParsedReference<Reading> & { shape: MoenvShape } {
  const doc = DocumentSchema.safeParse(json);
  if (!doc.success) {
    throw new ReferenceFileError(
      source,
      'unknown-format',
      'not MOENV hourly data: expected a JSON array of AQX records or an object with a "records" array (API v2 aqx_p_432)',
    );
  }
  const [records, shape, prefix]: [unknown[], MoenvShape, string] = Array.isArray(doc.data)
    ? [doc.data, 'aqx', '']
    : [doc.data.records, 'aqx_p_432', 'records'];
  const index = asIndex(stations);
  const out: ParsedReference<Reading> & { shape: MoenvShape } = {
    readings: [],
    problems: [],
    shape,
  };
  records.forEach((raw, i) => {
    const result = parseRecord(raw, index, source, `${prefix}[${i}]`);
    if ('code' in result) out.problems.push(result);
    else out.readings.push(result);
  });
  return out;
}

function parseRecord(
  raw: unknown,
  index: StationIndex,
  source: string,
  where: string,
): Reading | RecordProblem {
  const parsed = RecordSchema.safeParse(raw);
  if (!parsed.success) return problem(source, where, 'not-a-record', 'is not a JSON object');
  const r = lowerKeys(parsed.data);
  const station = findStation(r, index, source, where);
  if ('code' in station) return station;
  const timeMs = parseTaipeiHour(r['publishtime']);
  if (timeMs === null) {
    return problem(
      source,
      where,
      'invalid-time',
      `publishtime ${JSON.stringify(r['publishtime'] ?? null)} of station ${station.nameZh} is not "YYYY-MM-DD HH:mm" or "YYYY/MM/DD HH:mm:ss" (Asia/Taipei)`,
    );
  }
  return stationReading(
    station,
    { timeMs, pm25: r['pm2.5'], pm10: r['pm10'] },
    { format: REFERENCE_FORMATS.moenv, app: REFERENCE_APPS.moenv },
  );
}

function text(v: unknown): string {
  return typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
}

/**
 * By site id when the record has one (API v2 and later AQX files do), else by Chinese
 * name (the 2017 AQX file has no id). When both are given they must agree: a reference
 * value at the wrong station would teach calibration the wrong truth.
 */
function findStation(
  r: Record<string, unknown>,
  index: StationIndex,
  source: string,
  where: string,
): ReferenceStation | RecordProblem {
  const siteId = text(r['siteid']);
  const name = text(r['sitename']);
  if (siteId === '' && name === '') {
    return problem(source, where, 'not-a-record', 'has neither sitename nor siteid');
  }
  const bySite = siteId === '' ? undefined : index.bySite(siteId);
  const byName = name === '' ? undefined : index.byChineseName(name);
  if (
    bySite !== undefined &&
    name !== '' &&
    normalizeZhName(bySite.nameZh) !== normalizeZhName(name)
  ) {
    return problem(
      source,
      where,
      'station-mismatch',
      `siteid ${siteId} is ${bySite.nameZh} (${bySite.nameEn}) in the registry, but the record names ${name}`,
    );
  }
  const station = bySite ?? byName;
  if (station !== undefined) return station;
  const label = [name, siteId === '' ? '' : `siteid ${siteId}`].filter(Boolean).join(', ');
  return problem(
    source,
    where,
    'unknown-station',
    `station ${label} is not in the station registry (${index.stations.length} stations)`,
  );
}

function lowerKeys(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k.toLowerCase()] = v;
  return out;
}
