import maplibregl from 'maplibre-gl';
import { TAIWAN_BBOX } from '../geo.ts';
import { chooseStyle } from './basemap.ts';

/** `?view=lon,lat,zoom` → a camera, or null. */
export function initialView(params: URLSearchParams) {
  const parts = (params.get('view') ?? '').split(',').map(Number);
  const [lon, lat, zoom] = parts;
  if (parts.length !== 3 || !parts.every(Number.isFinite)) return null;
  if (lon === undefined || lat === undefined || zoom === undefined) return null;
  return { center: [lon, lat] as [number, number], zoom };
}

/** The base map: the chosen style, the camera from the URL or all of Taiwan, no rotation. */
export function createBaseMap(
  container: HTMLElement,
  params: URLSearchParams,
  serverStyleUrl: string | null,
): maplibregl.Map {
  const [west, south, east, north] = TAIWAN_BBOX;
  const taiwan: [[number, number], [number, number]] = [
    [west, south],
    [east, north],
  ];
  const map = new maplibregl.Map({
    container,
    style: chooseStyle(params, serverStyleUrl, window.location.origin),
    ...(initialView(params) ?? { bounds: taiwan }),
    attributionControl: { compact: true },
    dragRotate: false,
    pitchWithRotate: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  // The camera goes into the URL: a reload (switching language) or a shared link keeps it.
  map.on('moveend', () => {
    const c = map.getCenter();
    const url = new URL(window.location.href);
    url.searchParams.set(
      'view',
      `${c.lng.toFixed(4)},${c.lat.toFixed(4)},${map.getZoom().toFixed(2)}`,
    );
    window.history.replaceState(null, '', url);
  });
  return map;
}
