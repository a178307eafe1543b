import 'maplibre-gl/dist/maplibre-gl.css';
import maplibregl from 'maplibre-gl';
import { el } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';
import { createBaseMap } from '../map/camera.ts';

/**
 * Where the box stands: click the map, or type the numbers. Both stay in step; the form
 * reads the two inputs.
 */
export function positionPicker(i18n: I18n, mapStyleUrl: string | null) {
  const lat = el('input', {
    attrs: {
      name: 'lat',
      type: 'number',
      step: 'any',
      min: '-90',
      max: '90',
      required: '',
      'data-testid': 'lat',
    },
  });
  const lon = el('input', {
    attrs: {
      name: 'lon',
      type: 'number',
      step: 'any',
      min: '-180',
      max: '180',
      required: '',
      'data-testid': 'lon',
    },
  });
  const box = el('div', { class: 'picker-map', attrs: { 'data-testid': 'picker-map' } });
  const element = el(
    'fieldset',
    { class: 'picker' },
    el('legend', {}, i18n.t('positionPick')),
    box,
    el('label', {}, `${i18n.t('latitude')} `, lat),
    el('label', {}, `${i18n.t('longitude')} `, lon),
  );
  // The map needs its box in the page to size itself: started once the caller appended it.
  const start = () => {
    const map = createBaseMap(box, new URLSearchParams(), mapStyleUrl);
    const marker = new maplibregl.Marker();
    const place = (lngLat: { lng: number; lat: number }) => {
      marker.setLngLat(lngLat).addTo(map);
    };
    map.on('click', (e) => {
      lat.value = e.lngLat.lat.toFixed(5);
      lon.value = e.lngLat.lng.toFixed(5);
      place(e.lngLat);
    });
    const typed = () => {
      const [y, x] = [Number(lat.value), Number(lon.value)];
      if (lat.value !== '' && lon.value !== '' && Number.isFinite(y) && Number.isFinite(x)) {
        place({ lat: y, lng: x });
      }
    };
    lat.addEventListener('change', typed);
    lon.addEventListener('change', typed);
    return map;
  };
  return { element, start };
}
