import { api, type Reading } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { aqiOf, shownPm25 } from '../aqi.ts';
import { createChart, type Chart } from '../chart.ts';
import { el, replaceChildren } from '../dom.ts';
import { stationBeside } from '../geo.ts';
import type { I18n } from '../i18n/index.ts';
import { errorBox } from '../shell.ts';
import {
  panelHeader,
  panelSeries,
  type Opened,
  type PanelPoint,
  type Range,
} from './panel-view.ts';
import type { MapData, MapSettings } from './state.ts';

const HOUR_MS = 3_600_000;
const SPAN_MS: Record<Range, number> = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS };
/** Readings may be stamped up to 10 min ahead of our clock (protocol's clock-skew limit). */
const AHEAD_MS = 11 * 60_000;

export interface Panel {
  element: HTMLElement;
  open(deviceId: string): Promise<void>;
  close(): void;
  /** A live reading: appended to the chart when it is the open device's. */
  onReading(r: Reading): void;
  lastPoint(): { timeMs: number; raw: number | null; calibrated: number | null } | null;
  /** The settings changed (raw/calibrated, scale): the head shows the value as the map does. */
  refresh(): void;
}

/** 24 h: every reading; 7 days: hourly means (uPlot draws ~1,400 points either way). */
async function fetchPoints(id: string, range: Range, nowMs: number): Promise<PanelPoint[]> {
  const fromMs = nowMs - SPAN_MS[range];
  if (range === '24h') {
    const rows = await api.rawSeries([id], fromMs, nowMs + AHEAD_MS);
    return rows.map((r) => ({
      timeMs: Date.parse(r.time),
      raw: r.pm25UgM3,
      cal: r.pm25CalibratedUgM3,
    }));
  }
  const rows = await api.hourlySeries({ device: [id] }, fromMs, nowMs + AHEAD_MS);
  return rows.map((r) => ({
    timeMs: Date.parse(r.hour),
    raw: r.pm25UgM3,
    cal: r.pm25CalibratedUgM3,
  }));
}

/** A station that never reported has no series (404): the chart shows the box alone. */
async function stationPoints(id: string, range: Range, nowMs: number) {
  try {
    return (await fetchPoints(id, range, nowMs)).map((p) => ({ timeMs: p.timeMs, value: p.raw }));
  } catch (error) {
    if (error instanceof ApiClientError && error.code === 'unknown-device') return [];
    throw error;
  }
}

/**
 * What the panel opens on: the device, whether it is a station, and (for a box) its
 * nearest station, whose id the chart's dashed line is fetched by.
 */
function openedFor(
  i18n: I18n,
  data: MapData,
  deviceId: string,
  range: Range,
): { o: Opened; stationId: string | null } {
  const stationName = (id: string) => {
    const s = data.stations.get(id);
    return s === undefined ? null : i18n.lang === 'en' ? s.nameEn : s.nameZh;
  };
  const latest = data.latest.get(deviceId);
  const isStation = data.stations.has(deviceId) || latest?.kind === 'reference';
  const near =
    isStation || latest === undefined
      ? null
      : stationBeside([...data.stations.values()], latest.lat, latest.lon);
  const o: Opened = {
    deviceId,
    isStation,
    stationName: stationName(deviceId),
    range,
    nearest:
      near === null
        ? null
        : {
            name: stationName(near.station.deviceId) ?? near.station.deviceId,
            distanceM: near.distanceM,
            points: [],
          },
  };
  return { o, stationId: near?.station.deviceId ?? null };
}

/** The side panel: a uPlot chart of one box (raw, calibrated) and its nearest station. */
class ChartPanel implements Panel {
  readonly element = el('aside', { class: 'panel', attrs: { hidden: '', 'data-testid': 'panel' } });
  private readonly head = el('div');
  private readonly body = el('div');
  private readonly i18n: I18n;
  private readonly data: MapData;
  private readonly settings: () => MapSettings;
  private readonly now: () => number;
  private opened: Opened | null = null;
  private chart: Chart | null = null;
  private points: PanelPoint[] = [];

  constructor(i18n: I18n, data: MapData, settings: () => MapSettings, now: () => number) {
    this.i18n = i18n;
    this.data = data;
    this.settings = settings;
    this.now = now;
    this.element.append(this.head, this.body);
  }

  open(deviceId: string): Promise<void> {
    return this.load(deviceId, '24h');
  }

  private showHeader(o: Opened): void {
    const latest = this.data.latest.get(o.deviceId);
    const value = latest === undefined ? null : shownPm25(latest, this.settings().mode);
    const category = aqiOf(value, this.settings().scale, new Date(this.now()))?.category ?? null;
    const onRange = (range: Range) => void this.load(o.deviceId, range);
    const onClose = () => this.close();
    replaceChildren(
      this.head,
      panelHeader(this.i18n, { o, latest, value, category, onRange, onClose }),
    );
  }

  private async load(deviceId: string, range: Range): Promise<void> {
    this.chart?.destroy();
    this.chart = null;
    const { o, stationId } = openedFor(this.i18n, this.data, deviceId, range);
    this.opened = o;
    this.element.hidden = false;
    this.showHeader(o);
    replaceChildren(this.body, el('p', { class: 'muted' }, this.i18n.t('loading')));
    const nowMs = this.now();
    try {
      const [rows, nearPoints] = await Promise.all([
        fetchPoints(deviceId, range, nowMs),
        stationId === null ? Promise.resolve([]) : stationPoints(stationId, range, nowMs),
      ]);
      if (this.opened !== o) return;
      this.points = rows;
      if (o.nearest !== null) o.nearest.points = nearPoints;
      this.drawChart(o);
    } catch (error) {
      if (this.opened === o) replaceChildren(this.body, errorBox(this.i18n, error));
    }
  }

  private drawChart(o: Opened): void {
    const { i18n, now } = this;
    const target = el('div', { class: 'chart', attrs: { 'data-testid': 'chart' } });
    replaceChildren(this.body, target);
    const window = { fromMs: () => now() - SPAN_MS[o.range], toMs: now };
    const size = { width: Math.max(280, this.element.clientWidth - 24), height: 240 };
    this.chart = createChart(
      target,
      size,
      panelSeries(i18n, o, this.points),
      `${i18n.t('pm25')} ${i18n.t('ugm3')}`,
      window,
    );
  }

  close(): void {
    this.chart?.destroy();
    this.chart = null;
    this.opened = null;
    this.element.hidden = true;
  }

  onReading(r: Reading): void {
    const o = this.opened;
    if (o === null || r.deviceId !== o.deviceId) return;
    this.showHeader(o);
    if (this.chart === null || o.range !== '24h') return;
    const timeMs = Date.parse(r.time);
    if (this.points.some((p) => p.timeMs === timeMs)) return;
    this.points = [...this.points, { timeMs, raw: r.pm25UgM3, cal: r.pm25CalibratedUgM3 }].sort(
      (a, b) => a.timeMs - b.timeMs,
    );
    this.chart.update(panelSeries(this.i18n, o, this.points));
  }

  lastPoint() {
    if (this.chart === null) return null;
    const raw = this.chart.lastPoint(0);
    const cal = this.opened?.isStation ? null : this.chart.lastPoint(1);
    const timeMs = Math.max(raw?.timeMs ?? -Infinity, cal?.timeMs ?? -Infinity);
    if (!Number.isFinite(timeMs)) return null;
    return {
      timeMs,
      raw: raw !== null && raw.timeMs === timeMs ? raw.value : null,
      calibrated: cal !== null && cal.timeMs === timeMs ? cal.value : null,
    };
  }

  refresh(): void {
    if (this.opened !== null) this.showHeader(this.opened);
  }
}

export function createPanel(
  i18n: I18n,
  data: MapData,
  settings: () => MapSettings,
  now: () => number,
): Panel {
  return new ChartPanel(i18n, data, settings, now);
}
