import 'maplibre-gl/dist/maplibre-gl.css';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { PickingInfo } from '@deck.gl/core';
import { api, type Reading } from '../api.ts';
import { el, replaceChildren } from '../dom.ts';
import { TAIWAN_BBOX } from '../geo.ts';
import type { I18n } from '../i18n/index.ts';
import { openLive, type LiveState } from '../live.ts';
import type { PageContext } from '../page.ts';
import { pageHeader } from '../shell.ts';
import { createBaseMap } from './camera.ts';
import { createControls } from './controls.ts';
import { AGGREGATE_ABOVE_POINTS, AGGREGATE_BELOW_ZOOM, buildLayers } from './layers.ts';
import { legend } from './legend.ts';
import { createPanel } from './panel.ts';
import {
  DEFAULT_SETTINGS,
  HOURS_BACK,
  MapData,
  mapPoints,
  type MapPoint,
  type MapSettings,
} from './state.ts';
import { createSurfaceFeed } from './surface-feed.ts';

const HOUR_MS = 3_600_000;

function liveText(i18n: I18n, state: LiveState): string {
  if (state === 'live') return i18n.t('live');
  return state === 'polling' ? i18n.t('polling') : i18n.t('offline');
}

/** The picked object's device id, when a box or station dot was clicked. */
function pickedId(info: PickingInfo): string | null {
  const o: unknown = info.object;
  return o !== null && typeof o === 'object' && 'id' in o && typeof o.id === 'string' ? o.id : null;
}

/**
 * `/`: the public map. MapLibre draws the base map; deck.gl (MapboxOverlay, its own canvas
 * above) draws boxes, stations and the surface; the live feed upserts readings and a redraw
 * is coalesced into the next animation frame. One closure on purpose: the page's state
 * (data, settings, what is drawn) is shared by the redraw, the controls and the live feed.
 */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n, params } = ctx;
  const now = () => Date.now();
  const data = new MapData();
  const settings: MapSettings = {
    ...DEFAULT_SETTINGS,
    scale: params.get('scale') === 'us' ? 'us' : 'tw',
    mode: params.get('values') === 'raw' ? 'raw' : 'calibrated',
  };
  const config = await api.appConfig().catch(() => ({ mapStyleUrl: null, maker: false }));
  const mapBox = el('div', { class: 'map', attrs: { 'data-testid': 'map' } });
  const legendSlot = el('div', { class: 'legend-slot' });
  const panel = createPanel(i18n, data, () => settings, now);
  const controls = createControls(i18n, settings, now, (patch) => void applySettings(patch));
  const main = el(
    'main',
    { class: 'map-page' },
    mapBox,
    controls.element,
    legendSlot,
    panel.element,
  );
  replaceChildren(ctx.root, pageHeader(i18n), main);

  let liveState: LiveState = 'connecting';
  let drawn: { boxes: MapPoint[]; aggregate: boolean } = { boxes: [], aggregate: false };
  let frames = 0;
  let redrawQueued = false;
  const map = createBaseMap(mapBox, params, config.mapStyleUrl);
  const overlay = new MapboxOverlay({
    interleaved: false,
    layers: [],
    pickingRadius: 4,
    onClick: (info: PickingInfo) => void onPick(info),
    getCursor: ({ isHovering }) => (isHovering ? 'pointer' : 'grab'),
    onAfterRender: () => {
      frames += 1;
      if (drawn.boxes.length > 0) ctx.markReady();
    },
  });
  map.addControl(overlay);
  const surface = createSurfaceFeed(scheduleRedraw, () => {
    settings.showSurface = false;
    controls.setSurfaceAvailable(false);
  });

  function redraw(): void {
    redrawQueued = false;
    const all = mapPoints(data, settings, now());
    const boxes = all.filter((p) => p.kind === 'box');
    const stations = all.filter((p) => p.kind === 'reference');
    const bounds = map.getBounds();
    const inView = boxes.filter((p) => bounds.contains(p.position)).length;
    const aggregate = map.getZoom() < AGGREGATE_BELOW_ZOOM || inView > AGGREGATE_ABOVE_POINTS;
    drawn = { boxes, aggregate };
    const { scale } = settings;
    const layerSurface = settings.showSurface ? surface.image() : null;
    const view = { zoom: map.getZoom(), latitude: map.getCenter().lat };
    overlay.setProps({
      layers: buildLayers({
        boxes,
        stations,
        aggregate,
        ...view,
        scale,
        nowMs: now(),
        surface: layerSurface,
      }),
    });
    replaceChildren(legendSlot, legend(i18n, scale, new Date(now()), aggregate));
    controls.setStatus(
      `${i18n.t('boxesShown', { count: boxes.length })} · ${liveText(i18n, liveState)}`,
    );
  }
  function scheduleRedraw(): void {
    if (redrawQueued) return;
    redrawQueued = true;
    requestAnimationFrame(redraw);
  }

  async function applySettings(patch: Partial<MapSettings>): Promise<void> {
    Object.assign(settings, patch);
    if (settings.hoursAgo > 0 && data.hourly === null) {
      const nowMs = now();
      const fromMs = nowMs - (HOURS_BACK + 1) * HOUR_MS;
      data.setHourly(await api.hourlySeries({ bbox: TAIWAN_BBOX }, fromMs, nowMs));
    }
    if (!settings.showSurface) surface.hide();
    else if (patch.showSurface === true || patch.scale !== undefined)
      await surface.show(settings.scale);
    panel.refresh();
    scheduleRedraw();
  }

  async function onPick(info: PickingInfo): Promise<void> {
    if (info.layer?.id === 'box-hexagons' && info.coordinate !== undefined) {
      const [lon = 0, lat = 0] = info.coordinate;
      map.easeTo({
        center: [lon, lat],
        zoom: Math.max(AGGREGATE_BELOW_ZOOM + 0.5, map.getZoom() + 2),
      });
      return;
    }
    const id = pickedId(info);
    if (id !== null) await panel.open(id);
  }

  const onReadings = (readings: Reading[]) => {
    let changed = false;
    for (const r of readings) if (data.upsert(r)) changed = true;
    for (const r of readings) panel.onReading(r);
    if (changed) scheduleRedraw();
  };

  // Stations first: a station's reading relayed without a position takes its site's.
  data.setStations(await api.stations());
  onReadings(await api.latest());
  const live = openLive({
    onReadings,
    onState: (s) => {
      liveState = s;
      scheduleRedraw();
    },
  });
  window.addEventListener('pagehide', () => live.close());
  Object.assign(ctx.hook, {
    boxCount: () => (drawn.aggregate ? 0 : drawn.boxes.length),
    stationCount: () => [...data.latest.values()].filter((r) => r.kind === 'reference').length,
    project: (lon: number, lat: number) => {
      const p = map.project([lon, lat]);
      const rect = mapBox.getBoundingClientRect();
      return [rect.left + p.x, rect.top + p.y];
    },
    lastChartPoint: () => panel.lastPoint(),
    liveState: () => live.state(),
    frames: () => frames,
  });
  map.on('moveend', scheduleRedraw);
  if (!map.loaded()) await map.once('load');
  redraw();
  if (data.latest.size === 0) ctx.markReady();
}
