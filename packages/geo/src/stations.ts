import { readFileSync } from 'node:fs';
import { packageFile } from './package-file.ts';

/** A government reference station (Taiwan MOENV), as listed in data/moenv-stations.csv. */
export interface ReferenceStation {
  siteId: string;
  nameZh: string;
  nameEn: string;
  county: string;
  siteType: string;
  lat: number;
  lon: number;
}

const STATIONS_CSV = packageFile(import.meta.url, '@airbox/geo', 'data/moenv-stations.csv');

/** The bundled MOENV station list (77 stations, 2020). Throws naming the file and line if it is damaged. */
export function loadReferenceStations(file: URL | string = STATIONS_CSV): ReferenceStation[] {
  const lines = readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const header = lines[0]?.split(',') ?? [];
  const expected = 'SiteId,SiteName,SiteEngName,County,SiteType,Latitude,Longitude';
  if (header.join(',') !== expected) {
    throw new Error(`${String(file)}: header is '${header.join(',')}', expected '${expected}'`);
  }
  return lines.slice(1).map((line, i) => {
    const [siteId, nameZh, nameEn, county, siteType, lat, lon] = line.split(',');
    const station = {
      siteId: siteId ?? '',
      nameZh: nameZh ?? '',
      nameEn: nameEn ?? '',
      county: county ?? '',
      siteType: siteType ?? '',
      lat: Number(lat),
      lon: Number(lon),
    };
    if (!station.siteId || !Number.isFinite(station.lat) || !Number.isFinite(station.lon)) {
      throw new Error(`${String(file)} line ${i + 2}: not a station row: '${line}'`);
    }
    return station;
  });
}

/**
 * A station's device id in readings: `EPA-<English name>`, the id LASS gives the EPA's
 * stations in `last-all-epa.json` (`EPA-Hengchun`). Characters a device id may not hold
 * (`[A-Za-z0-9_.:-]`, the protocol's rule) are dropped; a station listed without an English
 * name still needs an id, and its site number is one.
 */
export function stationDeviceId(station: Pick<ReferenceStation, 'nameEn' | 'siteId'>): string {
  const name = station.nameEn.replace(/[^A-Za-z0-9_.:-]/g, '').slice(0, 60);
  return name === '' ? `EPA-site-${station.siteId}` : `EPA-${name}`;
}
