import type { Category } from '@airbox/aqi';
import type { Reading } from '../api.ts';
import type { ChartSeries } from '../chart.ts';
import { appLink, el, swatch } from '../dom.ts';
import type { I18n } from '../i18n/index.ts';

export type Range = '24h' | '7d';

/** One point of the open device: raw and calibrated PM2.5 at a time. */
export interface PanelPoint {
  timeMs: number;
  raw: number | null;
  cal: number | null;
}

/** What the panel shows of the device it is open on. */
export interface Opened {
  deviceId: string;
  /** A reference station's own readings are official: one line, no "calibrated". */
  isStation: boolean;
  /** The station's name, or null for a box. */
  stationName: string | null;
  range: Range;
  /** The box's nearest reference station and its series, or null. */
  nearest: { name: string; distanceM: number; points: ChartSeries['points'] } | null;
}

const line = (points: PanelPoint[], pick: (p: PanelPoint) => number | null) =>
  points.map((p) => ({ timeMs: p.timeMs, value: pick(p) }));

/** A box: raw, calibrated and (dashed) its nearest station; a station: its own line. */
export function panelSeries(i18n: I18n, o: Opened, points: PanelPoint[]): ChartSeries[] {
  if (o.isStation) {
    const name = o.stationName ?? o.deviceId;
    return [
      {
        label: i18n.t('seriesStation', { name }),
        stroke: '#c0392b',
        points: line(points, (p) => p.raw),
      },
    ];
  }
  const series: ChartSeries[] = [
    { label: i18n.t('seriesRaw'), stroke: '#7a8a99', points: line(points, (p) => p.raw) },
    { label: i18n.t('seriesCalibrated'), stroke: '#1f4e79', points: line(points, (p) => p.cal) },
  ];
  if (o.nearest !== null) {
    const label = i18n.t('seriesStation', { name: o.nearest.name });
    series.push({ label, stroke: '#c0392b', dash: [6, 4], points: o.nearest.points });
  }
  return series;
}

export interface HeaderInput {
  o: Opened;
  latest: Reading | undefined;
  value: number | null;
  category: Category | null;
  onRange: (range: Range) => void;
  onClose: () => void;
}

function rangeButtons(i18n: I18n, h: HeaderInput): HTMLElement {
  const button = (range: Range, label: string) =>
    el(
      'button',
      {
        attrs: {
          type: 'button',
          'aria-pressed': String(h.o.range === range),
          'data-testid': `range-${range}`,
        },
        on: { click: () => h.onRange(range) },
      },
      label,
    );
  return el(
    'p',
    { class: 'ranges' },
    button('24h', i18n.t('range24h')),
    button('7d', i18n.t('range7d')),
  );
}

function boxLinks(i18n: I18n, deviceId: string): HTMLElement {
  const id = encodeURIComponent(deviceId);
  return el(
    'p',
    { class: 'links' },
    appLink(`/device/${id}`, i18n.lang, i18n.t('openDevicePage')),
    ' · ',
    appLink(`/school/${id}`, i18n.lang, i18n.t('openSchoolPage')),
  );
}

/** The panel's head: id, value and category now, the nearest station, range, links. */
export function panelHeader(i18n: I18n, h: HeaderInput): HTMLElement {
  const { o, latest, value, category } = h;
  const nearestText =
    o.nearest === null
      ? i18n.t('noStation')
      : i18n.t('nearestStation', {
          name: o.nearest.name,
          km: i18n.number(o.nearest.distanceM / 1000),
        });
  return el(
    'header',
    {},
    el(
      'button',
      {
        class: 'close',
        attrs: { type: 'button', 'aria-label': i18n.t('close') },
        on: { click: h.onClose },
      },
      '×',
    ),
    el('h2', { attrs: { 'data-testid': 'panel-title' } }, o.deviceId),
    o.stationName === null ? null : el('p', {}, o.stationName),
    category === null || value === null
      ? null
      : el(
          'p',
          { class: 'now', attrs: { 'data-testid': 'panel-value' } },
          swatch(category.colourHex),
          ` ${i18n.number(value)} ${i18n.t('ugm3')} · ${i18n.pick(category.name)}`,
        ),
    latest === undefined
      ? null
      : el('p', { class: 'muted' }, i18n.t('lastReading', { time: i18n.dateTime(latest.time) })),
    o.isStation ? null : el('p', { class: 'muted' }, nearestText),
    rangeButtons(i18n, h),
    o.isStation ? null : boxLinks(i18n, o.deviceId),
  );
}
