import { api, type Reading } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { aqiOf, shownPm25 } from '../aqi.ts';
import { createChart, type Chart } from '../chart.ts';
import { el, replaceChildren } from '../dom.ts';
import { nearestStation } from '../geo.ts';
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

/** The side panel: a uPlot chart of one box (raw, calibrated) and its nearest station. */
export function createPanel(
  i18n: I18n,
  data: MapData,
  settings: () => MapSettings,
  now: () => number,
): Panel {
  const element = el('aside', { class: 'panel', attrs: { hidden: '', 'data-testid': 'panel' } });
  const head = el('div');
  const body = el('div');
  element.append(head, body);
  let opened: Opened | null = null;
  let chart: Chart | null = null;
  let points: PanelPoint[] = [];

  const stationName = (id: string) => {
    const s = data.stations.get(id);
    return s === undefined ? null : i18n.lang === 'en' ? s.nameEn : s.nameZh;
  };
  const showHeader = (o: Opened) => {
    const latest = data.latest.get(o.deviceId);
    const value = latest === undefined ? null : shownPm25(latest, settings().mode);
    const category = aqiOf(value, settings().scale, new Date(now()))?.category ?? null;
    const onRange = (range: Range) => void load(o.deviceId, range);
    replaceChildren(
      head,
      panelHeader(i18n, { o, latest, value, category, onRange, onClose: close }),
    );
  };

  async function load(deviceId: string, range: Range): Promise<void> {
    chart?.destroy();
    chart = null;
    const latest = data.latest.get(deviceId);
    const isStation = data.stations.has(deviceId) || latest?.kind === 'reference';
    const near =
      isStation || latest === undefined
        ? null
        : nearestStation([...data.stations.values()], latest.lat, latest.lon);
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
    opened = o;
    element.hidden = false;
    showHeader(o);
    replaceChildren(body, el('p', { class: 'muted' }, i18n.t('loading')));
    const nowMs = now();
    try {
      const [rows, nearPoints] = await Promise.all([
        fetchPoints(deviceId, range, nowMs),
        near === null ? Promise.resolve([]) : stationPoints(near.station.deviceId, range, nowMs),
      ]);
      if (opened !== o) return;
      points = rows;
      if (o.nearest !== null) o.nearest.points = nearPoints;
      const target = el('div', { class: 'chart', attrs: { 'data-testid': 'chart' } });
      replaceChildren(body, target);
      const window = { fromMs: () => now() - SPAN_MS[range], toMs: now };
      const size = { width: Math.max(280, element.clientWidth - 24), height: 240 };
      chart = createChart(
        target,
        size,
        panelSeries(i18n, o, points),
        `${i18n.t('pm25')} ${i18n.t('ugm3')}`,
        window,
      );
    } catch (error) {
      if (opened === o) replaceChildren(body, errorBox(i18n, error));
    }
  }

  function close(): void {
    chart?.destroy();
    chart = null;
    opened = null;
    element.hidden = true;
  }

  function onReading(r: Reading): void {
    const o = opened;
    if (o === null || r.deviceId !== o.deviceId) return;
    showHeader(o);
    if (chart === null || o.range !== '24h') return;
    const timeMs = Date.parse(r.time);
    if (points.some((p) => p.timeMs === timeMs)) return;
    points = [...points, { timeMs, raw: r.pm25UgM3, cal: r.pm25CalibratedUgM3 }].sort(
      (a, b) => a.timeMs - b.timeMs,
    );
    chart.update(panelSeries(i18n, o, points));
  }

  function lastPoint() {
    if (chart === null) return null;
    const raw = chart.lastPoint(0);
    const cal = opened?.isStation ? null : chart.lastPoint(1);
    const timeMs = Math.max(raw?.timeMs ?? -Infinity, cal?.timeMs ?? -Infinity);
    if (!Number.isFinite(timeMs)) return null;
    return {
      timeMs,
      raw: raw !== null && raw.timeMs === timeMs ? raw.value : null,
      calibrated: cal !== null && cal.timeMs === timeMs ? cal.value : null,
    };
  }

  function refresh(): void {
    if (opened !== null) showHeader(opened);
  }

  return {
    element,
    open: (deviceId) => load(deviceId, '24h'),
    close,
    onReading,
    lastPoint,
    refresh,
  };
}
