import type { Scale } from '@airbox/aqi';
import { api, type Reading } from '../api.ts';
import { aqiOf, shownPm25, textColourOn } from '../aqi.ts';
import { createChart, type Chart } from '../chart.ts';
import { el, replaceChildren, setText } from '../dom.ts';
import { openLive } from '../live.ts';
import type { I18n } from '../i18n/index.ts';
import type { PageContext } from '../page.ts';
import { errorBox } from '../shell.ts';

const DAY_MS = 86_400_000;

type Point = { timeMs: number; value: number | null };

/** The card and the chart's slot, drawn before any data arrives. */
function layout(ctx: PageContext) {
  const { i18n, id } = ctx;
  const value = el('span', { class: 'value', attrs: { 'data-testid': 'pm25' } });
  const category = el('span', { class: 'category', attrs: { 'data-testid': 'category' } });
  const time = el('p', { class: 'muted' });
  const chartSlot = el('div', { class: 'chart' });
  const card = el(
    'section',
    { class: 'embed-card', attrs: { 'data-testid': 'level' } },
    el('h1', {}, id),
    el('p', { class: 'big' }, value, ` ${i18n.t('ugm3')} `, category),
    time,
  );
  const more = el(
    'a',
    {
      attrs: { href: `/?lang=${encodeURIComponent(i18n.lang)}`, target: '_blank', rel: 'noopener' },
    },
    i18n.t('embedMore'),
  );
  replaceChildren(ctx.root, el('main', { class: 'embed' }, card, chartSlot, more));
  return { value, category, time, chartSlot, card };
}
type Card = ReturnType<typeof layout>;

/** The card in the colour of the reading's AQI category, with its value and time. */
function showReading(card: Card, i18n: I18n, latest: Reading, scale: Scale): void {
  const v = shownPm25(latest, 'calibrated');
  const result = aqiOf(v, scale, new Date(latest.time));
  setText(card.value, v === null ? null : i18n.number(v));
  setText(card.category, result === null ? '' : i18n.pick(result.category.name));
  const colour = result?.category.colourHex ?? '#8c8c8c';
  card.card.style.backgroundColor = colour;
  card.card.style.color = textColourOn(colour);
  setText(card.time, i18n.t('updated', { time: i18n.dateTime(latest.time) }));
}

/** The last 24 hours' sparkline (up to the clock-skew limit ahead of now). */
async function daySparkline(i18n: I18n, id: string, slot: HTMLElement) {
  const nowMs = Date.now();
  const rows = await api.rawSeries([id], nowMs - DAY_MS, nowMs + 11 * 60_000);
  const points: Point[] = rows.map((r) => ({
    timeMs: Date.parse(r.time),
    value: shownPm25(r, 'calibrated'),
  }));
  const window24h = { fromMs: () => Date.now() - DAY_MS, toMs: () => Date.now() };
  const chart: Chart = createChart(
    slot,
    { width: 300, height: 90 },
    [{ label: i18n.t('pm25'), stroke: '#1f4e79', points }],
    '',
    window24h,
  );
  return { chart, points };
}

/** /embed/<id>: a small card for other sites' iframes — value, colour, category, 24 h. */
export async function render(ctx: PageContext): Promise<void> {
  const { i18n, id, params } = ctx;
  const scale: Scale = params.get('scale') === 'us' ? 'us' : 'tw';
  document.documentElement.classList.add('embedded');
  const card = layout(ctx);

  let latest: Reading;
  try {
    latest = (await api.device(id)).latest;
  } catch (error) {
    replaceChildren(ctx.root, errorBox(i18n, error));
    ctx.markReady();
    return;
  }
  const { chart, points } = await daySparkline(i18n, id, card.chartSlot);
  showReading(card, i18n, latest, scale);
  openLive({
    deviceIds: [id],
    onReadings: (readings) => {
      for (const r of readings) {
        if (r.time <= latest.time) {
          if (r.time === latest.time && r.deviceId === latest.deviceId) latest = r;
          continue;
        }
        latest = r;
        points.push({ timeMs: Date.parse(r.time), value: shownPm25(r, 'calibrated') });
      }
      showReading(card, i18n, latest, scale);
      chart.update([{ label: i18n.t('pm25'), stroke: '#1f4e79', points }]);
    },
  });
  ctx.markReady();
}
