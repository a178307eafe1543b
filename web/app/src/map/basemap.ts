import type { StyleSpecification } from 'maplibre-gl';

/** Served from web/app/public/basemap/ (CC0, see PROVENANCE.md there). */
export const COUNTIES_PATH = '/basemap/tw-counties.geo.json';

/**
 * The offline base map: sea, land (Taiwan's counties) and county lines, from one bundled
 * GeoJSON file. No tiles, no sprite and no `glyphs` URL — so no text labels, and nothing is
 * fetched from outside: the map works on a school network with no Internet access.
 */
export function offlineStyle(origin: string): StyleSpecification {
  return {
    version: 8,
    name: 'airbox-offline',
    sources: {
      counties: { type: 'geojson', data: new URL(COUNTIES_PATH, origin).href },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#dbe8f0' } },
      {
        id: 'land',
        type: 'fill',
        source: 'counties',
        paint: { 'fill-color': '#f6f4ee', 'fill-antialias': true },
      },
      {
        id: 'county-lines',
        type: 'line',
        source: 'counties',
        paint: { 'line-color': '#a9a397', 'line-width': 0.8 },
      },
    ],
  };
}

/**
 * Which style to draw: `?style=URL` (try a production tile style without redeploying), then
 * the server's configured style (`airbox serve` app option `mapStyleUrl`), then the offline
 * one. Only http(s) URLs are taken from the query.
 */
export function chooseStyle(
  params: URLSearchParams,
  serverStyleUrl: string | null,
  origin: string,
): StyleSpecification | string {
  const fromQuery = params.get('style');
  if (fromQuery !== null && /^https?:\/\//i.test(fromQuery)) return fromQuery;
  if (serverStyleUrl !== null && serverStyleUrl !== '') return serverStyleUrl;
  return offlineStyle(origin);
}
