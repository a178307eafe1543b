import 'maplibre-gl/dist/maplibre-gl.css';
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { PickingInfo } from '@deck.gl/core';
import type maplibregl from 'maplibre-gl';
import { api, type Reading } from '../api.ts';
import { el, replaceChildren } from '../dom.ts';
import { TAIWAN_BBOX } from '../geo.ts';
import type { I18n } from '../i18n/index.ts';
import { openLive, type LiveHandle, type LiveState } from '../live.ts';
import type { PageContext } from '../page.ts';
import { pageHeader } from '../shell.ts';
import { createBaseMap } from './camera.ts';
import { createControls, type Controls } from './controls.ts';
import {
  AGGREGATE_ABOVE_POINTS,
  AGGREGATE_BELOW_ZOOM,
  AqiLayer,
  hexagonRadiusM,
  pickedHexagon,
} from './aqi-layer.ts';
import { legend } from './legend.ts';
import { createPanel, type Panel } from './panel.ts';
import {
  DEFAULT_SETTINGS,
  HOURS_BACK,
  MapData,
  mapPoints,
  type MapPoint,
  type MapSettings,
} from './state.ts';
import { createSurfaceFeed, type SurfaceFeed } from './surface-feed.ts';

const HOUR_MS = 3_600_000;
const now = () => Date.now();

function liveText(i18n: I18n, state: LiveState): string {
  if (state === 'live') return i18n.t('live');
  return state === 'polling' ? i18n.t('polling') : i18n.t('offline');
}

/** The picked object's device id, when a box or station dot was clicked. */
function pickedId(info: PickingInfo): string | null {
  const o: unknown = info.object;
  return o !== null && typeof o === 'object' && 'id' in o && typeof o.id === 'string' ? o.id : null;
}

/** The settings a link may carry (`?scale=us`, `?values=raw`); the rest start at defaults. */
function initialSettings(params: URLSearchParams): MapSettings {
  return {
    ...DEFAULT_SETTINGS,
    scale: params.get('scale') === 'us' ? 'us' : 'tw',
    mode: params.get('values') === 'raw' ? 'raw' : 'calibrated',
  };
}

/**
 * The map page's state and what changes it. One object on purpose: the data, the settings
 * and what is drawn are shared by the redraw, the controls and the live feed.
 */
class MapPage {
  private readonly ctx: PageContext;
  private readonly data = new MapData();
  private readonly settings: MapSettings;
  private readonly mapBox = el('div', { class: 'map', attrs: { 'data-testid': 'map' } });
  private readonly legendSlot = el('div', { class: 'legend-slot' });
  private readonly panel: Panel;
  private readonly controls: Controls;
  private readonly map: maplibregl.Map;
  private readonly overlay: MapboxOverlay;
  private readonly surface: SurfaceFeed;
  private liveState: LiveState = 'connecting';
  private drawn: { boxes: MapPoint[]; aggregate: boolean } = { boxes: [], aggregate: false };
  private frames = 0;
  private redrawQueued = false;

  constructor(ctx: PageContext, settings: MapSettings, mapStyleUrl: string | null) {
    const { i18n } = ctx;
    this.ctx = ctx;
    this.settings = settings;
    this.panel = createPanel(i18n, this.data, () => this.settings, now);
    this.controls = createControls(i18n, settings, now, (patch) => void this.applySettings(patch));
    const main = el(
      'main',
      { class: 'map-page' },
      this.mapBox,
      this.controls.element,
      this.legendSlot,
      this.panel.element,
    );
    replaceChildren(ctx.root, pageHeader(i18n), main);
    this.map = createBaseMap(this.mapBox, ctx.params, mapStyleUrl);
    this.overlay = this.createOverlay();
    this.map.addControl(this.overlay);
    this.surface = createSurfaceFeed(
      () => this.scheduleRedraw(),
      () => {
        this.settings.showSurface = false;
        this.controls.setSurfaceAvailable(false);
      },
    );
  }

  /** deck.gl's canvas over the base map: boxes, stations, the surface; clicks open or zoom. */
  private createOverlay(): MapboxOverlay {
    return new MapboxOverlay({
      interleaved: false,
      layers: [],
      pickingRadius: 4,
      onClick: (info: PickingInfo) => void this.onPick(info),
      getCursor: ({ isHovering }) => (isHovering ? 'pointer' : 'grab'),
      onAfterRender: () => {
        this.frames += 1;
        if (this.drawn.boxes.length > 0) this.ctx.markReady();
      },
    });
  }

  private redraw(): void {
    const { i18n } = this.ctx;
    const { map, settings } = this;
    this.redrawQueued = false;
    const all = mapPoints(this.data, settings, now());
    const boxes = all.filter((p) => p.kind === 'box');
    const stations = all.filter((p) => p.kind === 'reference');
    const bounds = map.getBounds();
    const inView = boxes.filter((p) => bounds.contains(p.position)).length;
    const aggregate = map.getZoom() < AGGREGATE_BELOW_ZOOM || inView > AGGREGATE_ABOVE_POINTS;
    this.drawn = { boxes, aggregate };
    const { scale } = settings;
    this.overlay.setProps({
      layers: [
        new AqiLayer({
          id: 'aqi',
          boxes,
          stations,
          scale,
          values: settings.mode,
          now,
          hexagons: aggregate,
          hexagonRadiusM: hexagonRadiusM(map.getCenter().lat, map.getZoom()),
          surface: settings.showSurface ? this.surface.grid() : null,
        }),
      ],
    });
    replaceChildren(this.legendSlot, legend(i18n, scale, new Date(now()), aggregate));
    this.controls.setStatus(
      `${i18n.t('boxesShown', { count: boxes.length })} · ${liveText(i18n, this.liveState)}`,
    );
  }

  /** Coalesces redraws into the next animation frame. */
  private scheduleRedraw(): void {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => this.redraw());
  }

  private async applySettings(patch: Partial<MapSettings>): Promise<void> {
    const { settings, data, surface } = this;
    Object.assign(settings, patch);
    if (settings.hoursAgo > 0 && data.hourly === null) {
      const nowMs = now();
      const fromMs = nowMs - (HOURS_BACK + 1) * HOUR_MS;
      data.setHourly(await api.hourlySeries({ bbox: TAIWAN_BBOX }, fromMs, nowMs));
    }
    if (!settings.showSurface) surface.hide();
    // The layer repaints the grid it has in a new scale's colours; only turning it on fetches.
    else if (patch.showSurface === true) await surface.show();
    this.panel.refresh();
    this.scheduleRedraw();
  }

  /** A hexagon zooms in on itself; a box or station opens its panel. */
  private async onPick(info: PickingInfo): Promise<void> {
    if (pickedHexagon(info) && info.coordinate !== undefined) {
      const [lon = 0, lat = 0] = info.coordinate;
      this.map.easeTo({
        center: [lon, lat],
        zoom: Math.max(AGGREGATE_BELOW_ZOOM + 0.5, this.map.getZoom() + 2),
      });
      return;
    }
    const id = pickedId(info);
    if (id !== null) await this.panel.open(id);
  }

  private onReadings(readings: Reading[]): void {
    let changed = false;
    for (const r of readings) if (this.data.upsert(r)) changed = true;
    for (const r of readings) this.panel.onReading(r);
    if (changed) this.scheduleRedraw();
  }

  /** Loads the stations and newest readings, follows the live feed, draws once loaded. */
  async start(): Promise<void> {
    const { map } = this;
    // Stations first: a station's reading relayed without a position takes its site's.
    this.data.setStations(await api.stations());
    this.onReadings(await api.latest());
    const live = openLive({
      onReadings: (readings) => this.onReadings(readings),
      onState: (s) => {
        this.liveState = s;
        this.scheduleRedraw();
      },
    });
    window.addEventListener('pagehide', () => live.close());
    this.installHook(live);
    map.on('moveend', () => this.scheduleRedraw());
    if (!map.loaded()) await map.once('load');
    this.redraw();
    if (this.data.latest.size === 0) this.ctx.markReady();
  }

  private installHook(live: LiveHandle): void {
    Object.assign(this.ctx.hook, {
      boxCount: () => (this.drawn.aggregate ? 0 : this.drawn.boxes.length),
      stationCount: () =>
        [...this.data.latest.values()].filter((r) => r.kind === 'reference').length,
      project: (lon: number, lat: number) => {
        const p = this.map.project([lon, lat]);
        const rect = this.mapBox.getBoundingClientRect();
        return [rect.left + p.x, rect.top + p.y];
      },
      lastChartPoint: () => this.panel.lastPoint(),
      liveState: () => live.state(),
      frames: () => this.frames,
    });
  }
}

/**
 * `/`: the public map. MapLibre draws the base map; deck.gl (MapboxOverlay, its own canvas
 * above) draws boxes, stations and the surface; the live feed upserts readings and a redraw
 * is coalesced into the next animation frame.
 */
export async function render(ctx: PageContext): Promise<void> {
  const settings = initialSettings(ctx.params);
  const config = await api.appConfig().catch(() => ({ mapStyleUrl: null, maker: false }));
  await new MapPage(ctx, settings, config.mapStyleUrl).start();
}
