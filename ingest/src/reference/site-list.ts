import { distanceM } from '@airbox/geo';
import { z } from 'zod';
import { problem, ReferenceFileError, type RecordProblem } from './problems.ts';
import { asIndex, type ReferenceStation, type StationIndex } from './stations.ts';

/**
 * The EPA/MOENV station list (opendata.epa.gov.tw AQXSite, 2017; API v2 `aqx_p_07` has the
 * same fields in lower case plus `siteid`): `{ SiteName, SiteEngName, AreaName, County,
 * Township, SiteAddress, TWD97Lon, TWD97Lat, SiteType }`, all strings.
 *
 * `TWD97Lat`/`TWD97Lon` are geographic degrees despite the name: TWD97 is the GRS80/ITRF94
 * datum, within a metre of WGS84, and these columns carry its latitude and longitude, not
 * the TM2 grid metres that also go by "TWD97". A value in metres is refused, not converted.
 */
const ListSchema = z.array(z.unknown());
const RecordSchema = z.record(z.string(), z.unknown());

/** Taiwan with Kinmen (118.3° E), Matsu (119.9° E) and Penghu, and a margin. */
const TAIWAN = { minLat: 21, maxLat: 27, minLon: 118, maxLon: 123 } as const;

export interface SiteList {
  /** `siteId` is "" when the list gives none (the 2017 list does not). */
  stations: ReferenceStation[];
  problems: RecordProblem[];
}

export function stationsFromSiteList(json: unknown, source = 'site list'): SiteList {
  const list = ListSchema.safeParse(json);
  if (!list.success) {
    throw new ReferenceFileError(
      source,
      'unknown-format',
      'a site list is a JSON array of stations',
    );
  }
  const out: SiteList = { stations: [], problems: [] };
  list.data.forEach((raw, i) => {
    const station = parseSite(raw, source, `[${i}]`);
    if ('code' in station) out.problems.push(station);
    else out.stations.push(station);
  });
  return out;
}

function parseSite(raw: unknown, source: string, where: string): ReferenceStation | RecordProblem {
  const parsed = RecordSchema.safeParse(raw);
  if (!parsed.success) return problem(source, where, 'not-a-record', 'is not a JSON object');
  const r: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.data)) {
    r[k.toLowerCase()] = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
  }
  const nameZh = r['sitename'] ?? '';
  if (nameZh === '') return problem(source, where, 'not-a-record', 'has no SiteName');
  const lat = Number(r['twd97lat'] ?? r['latitude']);
  const lon = Number(r['twd97lon'] ?? r['longitude']);
  if (!inTaiwan(lat, lon)) {
    return problem(
      source,
      where,
      'not-a-record',
      `station ${nameZh}: TWD97Lat/TWD97Lon ${JSON.stringify(r['twd97lat'])}, ${JSON.stringify(r['twd97lon'])} are not degrees in Taiwan (TM2 metres are not accepted)`,
    );
  }
  return {
    siteId: r['siteid'] ?? '',
    nameZh,
    nameEn: r['siteengname'] ?? '',
    county: r['county'] ?? '',
    siteType: r['sitetype'] ?? '',
    lat,
    lon,
  };
}

function inTaiwan(lat: number, lon: number): boolean {
  return (
    lat >= TAIWAN.minLat && lat <= TAIWAN.maxLat && lon >= TAIWAN.minLon && lon <= TAIWAN.maxLon
  );
}

export interface SiteListCheck {
  /** The registry, plus listed stations it did not have (appended). */
  stations: ReferenceStation[];
  added: ReferenceStation[];
  /** Registry stations whose listed position is farther than `maxMoveM` away. */
  moved: { station: ReferenceStation; listed: ReferenceStation; distanceM: number }[];
  /** Listed under another English name than the registry's. */
  renamed: { station: ReferenceStation; listed: ReferenceStation }[];
  /** Registry stations the list does not name. */
  notListed: ReferenceStation[];
}

/**
 * Verifies the registry against a site list and extends it with the stations it lacks.
 * Registry positions are kept (a list may be older: stations have been moved, Taoyuan by
 * 1.6 km between the 2017 list and 2020), and every difference is reported.
 */
export function checkSiteList(
  registry: readonly ReferenceStation[] | StationIndex,
  listed: readonly ReferenceStation[],
  maxMoveM = 200,
): SiteListCheck {
  const index = asIndex(registry);
  const result: SiteListCheck = {
    stations: [...index.stations],
    added: [],
    moved: [],
    renamed: [],
    notListed: [],
  };
  const seen = new Set<ReferenceStation>();
  for (const l of listed) {
    const known = (l.siteId && index.bySite(l.siteId)) || index.byChineseName(l.nameZh);
    if (known === undefined) {
      result.added.push(l);
      result.stations.push(l);
      continue;
    }
    seen.add(known);
    const movedM = Math.round(distanceM(known, l));
    if (movedM > maxMoveM) result.moved.push({ station: known, listed: l, distanceM: movedM });
    if (l.nameEn !== '' && l.nameEn !== known.nameEn)
      result.renamed.push({ station: known, listed: l });
  }
  result.notListed = index.stations.filter((s) => !seen.has(s));
  return result;
}
