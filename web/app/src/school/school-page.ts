import type { OutdoorActivity, Scale } from '@airbox/aqi';
import { api, type Reading, type Station } from '../api.ts';
import { ApiClientError } from '../http.ts';
import { aqiOf, shownPm25, textColourOn } from '../aqi.ts';
import { createChart, type Chart, type ChartSeries } from '../chart.ts';
import { el, replaceChildren, setText, swatch } from '../dom.ts';
import { stationBeside } from '../geo.ts';
import type { I18n, StringKey } from '../i18n/index.ts';
import { openLive } from '../live.ts';
import type { PageContext } from '../page.ts';
import { errorBox, pageHeader } from '../shell.ts';
import { alertBanner, alertMe } from './alert-parts.ts';

const REFRESH_MS = 60_000;

const OUTSIDE: Record<OutdoorActivity, StringKey> = {
  fine: 'outsideFine',
  'reduce-for-sensitive': 'outsideReduceSensitive',
  'reduce-for-everyone': 'outsideReduceEveryone',
  'move-indoors': 'outsideMoveIndoors',
};

/** Local midnight of today (the browser's zone: the classroom's). */
function startOfTodayMs(nowMs: number): number {
  const d = new Date(nowMs);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

interface View {
  box: HTMLElement;
  value: HTMLElement;
  category: HTMLElement;
  aqi: HTMLElement;
  answer: HTMLElement;
  advice: HTMLElement;
  station: HTMLElement;
  updated: HTMLElement;
  chartSlot: HTMLElement;
}

function layout(i18n: I18n, deviceId: string): { main: HTMLElement; view: View } {
  const view: View = {
    box: el('section', { class: 'level', attrs: { 'data-testid': 'level' } }),
    value: el('span', { class: 'value', attrs: { 'data-testid': 'pm25' } }),
    category: el('p', { class: 'category', attrs: { 'data-testid': 'category' } }),
    aqi: el('p', { class: 'aqi', attrs: { 'data-testid': 'aqi' } }),
    answer: el('p', { class: 'answer', attrs: { 'data-testid': 'outside' } }),
    advice: el('p', { class: 'advice' }),
    station: el('section', { class: 'station', attrs: { 'data-testid': 'station' } }),
    updated: el('p', { class: 'updated muted' }),
    chartSlot: el('div', { class: 'chart', attrs: { 'data-testid': 'chart' } }),
  };
  replaceChildren(
    view.box,
    el('h2', { attrs: { 'data-testid': 'device-id' } }, deviceId),
    el('p', { class: 'big' }, view.value, el('span', { class: 'unit' }, ` ${i18n.t('ugm3')}`)),
    view.category,
    view.aqi,
  );
  const main = el(
    'main',
    { class: 'school' },
    view.box,
    el(
      'section',
      { class: 'outside' },
      el('h2', {}, i18n.t('canWeGoOutside')),
      view.answer,
      view.advice,
    ),
    view.station,
    el('section', { class: 'today' }, el('h2', {}, i18n.t('today')), view.chartSlot),
    el('footer', {}, view.updated, el('p', { class: 'muted' }, i18n.t('aqiNote'))),
  );
  return { main, view };
}

function showLevel(i18n: I18n, view: View, reading: Reading, scale: Scale, nowMs: number): void {
  const value = shownPm25(reading, 'calibrated');
  const result = aqiOf(value, scale, new Date(reading.time));
  setText(view.value, value === null ? null : i18n.number(value));
  const colour = result?.category.colourHex ?? '#8c8c8c';
  view.box.style.backgroundColor = colour;
  view.box.style.color = textColourOn(colour);
  view.box.dataset['colour'] = colour;
  setText(view.category, result === null ? i18n.t('noData') : i18n.pick(result.category.name));
  setText(view.aqi, result === null ? '' : `${i18n.t('aqi')} ${result.aqi}`);
  setText(view.answer, result === null ? '' : i18n.t(OUTSIDE[result.category.outdoorActivity]));
  setText(view.advice, result === null ? '' : i18n.pick(result.category.advice));
  setText(
    view.updated,
    i18n.t('updated', { time: `${i18n.dateTime(reading.time)} (${i18n.time(nowMs)})` }),
  );
}

function showStation(
  i18n: I18n,
  view: View,
  station: Station | null,
  reading: Reading | null,
  scale: Scale,
): void {
  if (station === null) {
    replaceChildren(
      view.station,
      el('h2', {}, i18n.t('nearestOfficial')),
      el('p', {}, i18n.t('noStation')),
    );
    return;
  }
  const value = reading?.pm25UgM3 ?? null;
  const result = reading === null ? null : aqiOf(value, scale, new Date(reading.time));
  replaceChildren(
    view.station,
    el('h2', {}, i18n.t('nearestOfficial')),
    el('p', { class: 'station-name' }, i18n.lang === 'en' ? station.nameEn : station.nameZh),
    result === null
      ? el('p', {}, i18n.t('stationNoReading'))
      : el(
          'p',
          { class: 'station-value' },
          swatch(result.category.colourHex, 'swatch big'),
          ` ${i18n.number(value ?? 0)} ${i18n.t('ugm3')} · ${i18n.pick(result.category.name)}`,
        ),
  );
}

async function todaySeries(
  i18n: I18n,
  deviceId: string,
  station: Station | null,
  nowMs: number,
): Promise<ChartSeries[]> {
  const from = startOfTodayMs(nowMs);
  const to = nowMs + 11 * 60_000;
  const box = await api.rawSeries([deviceId], from, to);
  const series: ChartSeries[] = [
    {
      label: i18n.t('pm25'),
      stroke: '#1f4e79',
      points: box.map((r) => ({ timeMs: Date.parse(r.time), value: shownPm25(r, 'calibrated') })),
    },
  ];
  if (station !== null) {
    const rows = await api.rawSeries([station.deviceId], from, to).catch((e: unknown) => {
      if (e instanceof ApiClientError && e.code === 'unknown-device') return [];
      throw e;
    });
    const name = i18n.lang === 'en' ? station.nameEn : station.nameZh;
    series.push({
      label: i18n.t('seriesStation', { name }),
      stroke: '#c0392b',
      dash: [8, 5],
      points: rows.map((r) => ({ timeMs: Date.parse(r.time), value: r.pm25UgM3 })),
    });
  }
  return series;
}

/** The box's newest reading, or null once the page says why there is none. */
async function latestOrExplain(ctx: PageContext, main: HTMLElement): Promise<Reading | null> {
  const { i18n, id } = ctx;
  try {
    return (await api.device(id)).latest;
  } catch (error) {
    const unknown = error instanceof ApiClientError && error.code === 'unknown-device';
    replaceChildren(
      main,
      unknown
        ? el('p', { class: 'error' }, i18n.t('unknownDevice', { id }))
        : errorBox(i18n, error),
    );
    ctx.markReady();
    return null;
  }
}

/** Today's chart, drawn on the first refresh and updated on each later one. */
function todayChart(i18n: I18n, id: string, station: Station | null, slot: HTMLElement) {
  let chart: Chart | null = null;
  const refresh = async () => {
    const series = await todaySeries(i18n, id, station, Date.now());
    const today = { fromMs: () => startOfTodayMs(Date.now()), toMs: () => Date.now() };
    if (chart === null)
      chart = createChart(
        slot,
        { width: Math.max(320, slot.clientWidth), height: 260 },
        series,
        `${i18n.t('pm25')} ${i18n.t('ugm3')}`,
        today,
      );
    else chart.update(series);
  };
  const lastChartPoint = () => {
    const p = chart?.lastPoint(0);
    return p === undefined || p === null
      ? null
      : { timeMs: p.timeMs, raw: null, calibrated: p.value };
  };
  return { refresh, lastChartPoint };
}

/** /school/<id>: a projector view of one box — the number, the colour, the advice. */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n, id, params } = ctx;
  const scale: Scale = params.get('scale') === 'us' ? 'us' : 'tw';
  const { main, view } = layout(i18n, id);
  const alerts = alertBanner(i18n, id, scale);
  main.prepend(alerts.banner);
  main.append(alertMe(i18n, id, scale));
  document.body.classList.add('projector');
  replaceChildren(ctx.root, pageHeader(i18n), main);

  const first = await latestOrExplain(ctx, main);
  if (first === null) return;
  let latest: Reading = first;
  const stations = await api.stations();
  const nearest = stationBeside(stations, latest.lat, latest.lon)?.station ?? null;
  let stationReading = nearest?.latest ?? null;
  const chart = todayChart(i18n, id, nearest, view.chartSlot);

  const show = () => {
    showLevel(i18n, view, latest, scale, Date.now());
    showStation(i18n, view, nearest, stationReading, scale);
  };
  show();
  await Promise.all([chart.refresh(), alerts.refresh()]);
  ctx.markReady();

  openLive({
    deviceIds: nearest === null ? [id] : [id, nearest.deviceId],
    onReadings: (readings) => {
      for (const r of readings) {
        if (r.deviceId === id && r.time >= latest.time) latest = r;
        if (r.deviceId === nearest?.deviceId && r.time >= (stationReading?.time ?? ''))
          stationReading = r;
      }
      show();
    },
  });
  // The chart and the clock refresh on a timer: a projector page stays open all day.
  setInterval(() => {
    show();
    void chart.refresh().catch(() => undefined);
    void alerts.refresh();
  }, REFRESH_MS);
  Object.assign(ctx.hook, { lastChartPoint: chart.lastChartPoint });
}
